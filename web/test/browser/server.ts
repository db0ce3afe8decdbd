// Starts `docex serve` for a browser test: the debug binary of the Cargo build, on a free
// loopback port (the server picks it and prints it), over a fresh data directory, serving
// this app's build. Stopped (and its data removed) by the returned `stop`.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export const WEB_DIR = new URL("../../../", import.meta.url).pathname;
export const REPO_DIR = join(WEB_DIR, "..");

/** The docex binary: DOCEX_BIN, else `debug/docex` in CARGO_TARGET_DIR (default ~/.cache/docex/target). */
export function docexBinary(): string {
  const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "docex", "target");
  const binary = process.env.DOCEX_BIN ?? join(target, "debug", "docex");
  if (!existsSync(binary)) {
    throw new Error(`no docex binary at ${binary}: build it with \`cargo build --bin docex\` (or set DOCEX_BIN)`);
  }
  if (!existsSync(join(WEB_DIR, "dist", "index.html"))) {
    throw new Error("web/dist holds no built app: run `npm --prefix web run build` first");
  }
  return binary;
}

export interface Server {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Starts a server with `env` added to the environment (e.g. DOCEX_FAULTS). */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const binary = docexBinary();
  const data = mkdtempSync(join(tmpdir(), "docex-web-test-"));
  const child: ChildProcess = spawn(binary, ["serve", "--addr", "127.0.0.1:0", "--web", join(WEB_DIR, "dist")], {
    cwd: REPO_DIR,
    env: { ...process.env, DOCEX_DATA: data, DOCEX_PROVIDER: "offline", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`docex serve did not start in 60 s:\n${output}`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /docex serve: (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`docex serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const forced = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(forced);
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}
