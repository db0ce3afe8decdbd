/**
 * Sign-in with the Cognito hosted UI: OAuth 2.0 authorization code with PKCE (S256). The
 * app sends the browser to `/oauth2/authorize` with a fresh verifier's challenge and a
 * random state, and on the way back exchanges the code at `/oauth2/token`. Tokens live in
 * sessionStorage (gone with the tab) and are refreshed with the refresh token when the ID
 * token expires. The API gets `Authorization: Bearer <id token>`, the WebSocket `?token=`.
 */

import type { AuthConfig } from "./config.ts";

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string | null;
  /** Milliseconds since the epoch when the ID token stops being accepted. */
  expiresAt: number;
}

/** Sign-in went wrong: the state did not match, the hosted UI answered an error, ... */
export class SignInError extends Error {
  override name = "SignInError";
}

/** Where the pending sign-in and the tokens are kept (sessionStorage in the browser). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const TOKENS_KEY = "docex.tokens";
const PENDING_KEY = "docex.signin";
/** Refresh this long before the ID token expires. */
const EXPIRY_MARGIN_MS = 60_000;

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A PKCE code verifier: 32 random bytes, base64url (43 characters, RFC 7636 §4.1). */
export function createVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The hosted UI's authorize URL for one sign-in attempt. */
export function authorizeUrl(auth: AuthConfig, challenge: string, state: string): string {
  const url = new URL(`${auth.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: auth.clientId,
    redirect_uri: auth.redirectUri,
    scope: auth.scopes.join(" "),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

/** The hosted UI's sign-out URL, back to the app afterwards. */
export function logoutUrl(auth: AuthConfig): string {
  const url = new URL(`${auth.domain}/logout`);
  url.search = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.redirectUri }).toString();
  return url.toString();
}

async function tokenRequest(
  auth: AuthConfig,
  form: Record<string, string>,
  fetcher: typeof fetch,
  now: number,
  previousRefresh: string | null,
): Promise<Tokens> {
  const response = await fetcher(`${auth.domain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: auth.clientId, ...form }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new SignInError(`the sign-in service refused the ${form.grant_type} grant: ${String(body.error ?? response.status)}`);
  }
  const { id_token, access_token, refresh_token, expires_in } = body;
  if (typeof id_token !== "string" || typeof access_token !== "string") {
    throw new SignInError("the sign-in service answered without an ID or access token");
  }
  return {
    idToken: id_token,
    accessToken: access_token,
    refreshToken: typeof refresh_token === "string" ? refresh_token : previousRefresh,
    expiresAt: now + (typeof expires_in === "number" ? expires_in : 3600) * 1000,
  };
}

/** Exchanges an authorization code for tokens. */
export function exchangeCode(
  auth: AuthConfig,
  code: string,
  verifier: string,
  fetcher: typeof fetch = fetch,
  now = Date.now(),
): Promise<Tokens> {
  return tokenRequest(
    auth,
    { grant_type: "authorization_code", code, redirect_uri: auth.redirectUri, code_verifier: verifier },
    fetcher,
    now,
    null,
  );
}

/** New ID and access tokens from a refresh token. */
export function refreshTokens(
  auth: AuthConfig,
  refreshToken: string,
  fetcher: typeof fetch = fetch,
  now = Date.now(),
): Promise<Tokens> {
  return tokenRequest(auth, { grant_type: "refresh_token", refresh_token: refreshToken }, fetcher, now, refreshToken);
}

/**
 * The signed-in session of one tab: starts a sign-in, finishes it on the way back, and
 * hands out a valid ID token.
 */
export class Session {
  constructor(
    private readonly auth: AuthConfig,
    private readonly store: KeyValueStore,
    private readonly fetcher: typeof fetch = fetch.bind(globalThis),
  ) {}

  private tokens(): Tokens | null {
    try {
      const saved = JSON.parse(this.store.getItem(TOKENS_KEY) ?? "null") as Tokens | null;
      return saved && typeof saved.idToken === "string" ? saved : null;
    } catch {
      return null;
    }
  }

  private save(tokens: Tokens): void {
    this.store.setItem(TOKENS_KEY, JSON.stringify(tokens));
  }

  /** The URL to send the browser to for signing in; remembers the verifier and state. */
  async begin(): Promise<string> {
    const verifier = createVerifier();
    const state = createVerifier();
    this.store.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
    return authorizeUrl(this.auth, await codeChallenge(verifier), state);
  }

  /**
   * Finishes a sign-in when `location` carries the hosted UI's answer (`code` and `state`,
   * or `error`). Returns false when it carries none.
   */
  async complete(location: URL): Promise<boolean> {
    const params = location.searchParams;
    const error = params.get("error");
    if (error) throw new SignInError(`sign-in failed: ${params.get("error_description") ?? error}`);
    const code = params.get("code");
    if (!code) return false;
    const pending = JSON.parse(this.store.getItem(PENDING_KEY) ?? "null") as { verifier: string; state: string } | null;
    this.store.removeItem(PENDING_KEY);
    if (!pending || pending.state !== params.get("state")) {
      throw new SignInError("sign-in answer does not belong to this tab (state mismatch); sign in again");
    }
    this.save(await exchangeCode(this.auth, code, pending.verifier, this.fetcher));
    return true;
  }

  /** A valid ID token, refreshed when needed; `null` when the user must sign in. */
  async idToken(now = Date.now()): Promise<string | null> {
    const tokens = this.tokens();
    if (!tokens) return null;
    if (tokens.expiresAt - EXPIRY_MARGIN_MS > now) return tokens.idToken;
    if (!tokens.refreshToken) return null;
    try {
      const fresh = await refreshTokens(this.auth, tokens.refreshToken, this.fetcher, now);
      this.save(fresh);
      return fresh.idToken;
    } catch {
      this.store.removeItem(TOKENS_KEY);
      return null;
    }
  }

  signOut(): string {
    this.store.removeItem(TOKENS_KEY);
    return logoutUrl(this.auth);
  }
}
