// Vite builds the app into dist/, which `docex serve --web web/dist` and the AWS web bucket
// serve. During `npm run dev`, API calls go to a `docex serve` on DOCEX_API (default
// http://127.0.0.1:8080).
import { defineConfig } from "vite";

const api = process.env.DOCEX_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  build: { target: "es2022", sourcemap: true },
  server: {
    proxy: {
      "/api/ws": { target: api.replace(/^http/, "ws"), ws: true },
      "/api": api,
      "/config.json": api,
    },
  },
});
