/**
 * Where the app finds the API, the WebSocket and the sign-in: `/config.json`, fetched at
 * start. One shape in both homes: `{"api", "websocket", "auth"}`. `docex serve` answers
 * `{"api": "/api", "websocket": "/api/ws", "auth": null}` (no sign-in) or names the token
 * issuer (`auth.issuer`, `auth.clientId`); on AWS the deployment (`terraform/web.tf`) writes
 * the API Gateway URLs and the Cognito hosted UI (`auth.domain`, `auth.clientId`,
 * `auth.redirectUri`, `auth.scopes`).
 */

export interface AuthConfig {
  /** The hosted UI, e.g. `https://docex-123.auth.eu-west-1.amazoncognito.com`. */
  domain: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
}

export interface AppConfig {
  /** The REST API's base URL, absolute or relative to the page. */
  api: string;
  /** The WebSocket URL, absolute (`wss://`) or a path on the page's host. */
  websocket: string;
  /** `null` when no sign-in is needed. */
  auth: AuthConfig | null;
}

/** `/config.json` is missing or does not say what the app needs. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Json = Record<string, unknown>;

function pick(object: Json, ...keys: string[]): unknown {
  for (const key of keys) {
    if (object[key] !== undefined) return object[key];
  }
  return undefined;
}

function text(object: Json, what: string, ...keys: string[]): string {
  const value = pick(object, ...keys);
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`config.json: ${what} (${keys.join(" or ")}) must be a non-empty string`);
  }
  return value.trim();
}

/** Reads a parsed `/config.json`. */
export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json must hold a JSON object");
  }
  const object = raw as Json;
  const api = text(object, "the API URL", "api").replace(/\/+$/, "");
  const websocket = text(object, "the WebSocket URL", "websocket");
  const auth = object.auth;
  if (auth === null || auth === undefined) return { api, websocket, auth: null };
  if (typeof auth !== "object" || Array.isArray(auth)) throw new ConfigError("config.json: auth must be an object or null");
  const a = auth as Json;
  if (pick(a, "domain") === undefined) {
    throw new ConfigError(
      "config.json: auth names no hosted sign-in page (auth.domain), so this app cannot sign in; " +
        "serve it with the deployment's config.json or without sign-in",
    );
  }
  const domain = text(a, "the sign-in domain", "domain");
  const scopes = pick(a, "scopes");
  return {
    api,
    websocket,
    auth: {
      domain: (/^https?:\/\//.test(domain) ? domain : `https://${domain}`).replace(/\/+$/, ""),
      clientId: text(a, "the app client id", "clientId"),
      redirectUri: text(a, "the redirect URI", "redirectUri"),
      scopes:
        Array.isArray(scopes) && scopes.every((s) => typeof s === "string") ? scopes : ["openid", "email", "profile"],
    },
  };
}

/** Fetches and reads `/config.json`. */
export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetcher("/config.json", { cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`config.json could not be fetched: ${String(error)}`);
  }
  if (!response.ok) throw new ConfigError(`config.json answered ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("config.json is not JSON");
  }
  return parseConfig(raw);
}

/** The WebSocket URL for `path` (absolute or a path on `base`'s host), with `token` as `?token=`. */
export function websocketUrl(websocket: string, base: string, token: string | null): string {
  const url = new URL(websocket, base);
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol === "https:") url.protocol = "wss:";
  if (token) url.searchParams.set("token", token);
  return url.toString();
}
