// Reading /config.json as docex serve and the deployment write it, and the WebSocket URL
// built from it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig, websocketUrl } from "../../src/config.ts";

test("docex serve's config has no sign-in", () => {
  assert.deepEqual(parseConfig({ api: "/api", websocket: "/api/ws", auth: null }), {
    api: "/api",
    websocket: "/api/ws",
    auth: null,
  });
});

test("the deployment's config names the hosted UI", () => {
  const config = parseConfig({
    api: "https://x.execute-api.eu-west-1.amazonaws.com/prod/",
    websocket: "wss://y.execute-api.eu-west-1.amazonaws.com/live",
    region: "eu-west-1",
    auth: { userPoolId: "p", clientId: "c", domain: "https://d.auth.eu-west-1.amazoncognito.com", redirectUri: "https://app/", scopes: ["openid"] },
  });
  assert.equal(config.api, "https://x.execute-api.eu-west-1.amazonaws.com/prod");
  assert.deepEqual(config.auth, {
    domain: "https://d.auth.eu-west-1.amazoncognito.com",
    clientId: "c",
    redirectUri: "https://app/",
    scopes: ["openid"],
  });
});

test("a config without what sign-in needs is a named error", () => {
  assert.throws(() => parseConfig({ api: "/api", websocket: "/ws", auth: { issuer: "https://i", clientId: "c" } }), ConfigError);
  assert.throws(() => parseConfig({ apiUrl: "https://x/prod", websocket: "/ws" }), /API URL/);
  assert.throws(() => parseConfig({ websocket: "/ws" }), /API URL/);
  assert.throws(() => parseConfig([]), ConfigError);
});

test("a WebSocket path becomes ws(s) on the page's host, with the token", () => {
  assert.equal(websocketUrl("/api/ws", "http://127.0.0.1:8080/#/", null), "ws://127.0.0.1:8080/api/ws");
  assert.equal(websocketUrl("/api/ws", "https://docex.example/", "a.b c"), "wss://docex.example/api/ws?token=a.b+c");
  assert.equal(websocketUrl("wss://h/live", "https://app/", "t"), "wss://h/live?token=t");
});
