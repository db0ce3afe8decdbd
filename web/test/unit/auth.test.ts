// Sign-in with code + PKCE: the challenge, the authorize URL, the token exchange and the
// checks of the answer, against a recorded fake of the hosted UI's token endpoint.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SignInError, Session, authorizeUrl, codeChallenge, createVerifier, exchangeCode } from "../../src/auth.ts";
import type { KeyValueStore } from "../../src/auth.ts";
import type { AuthConfig } from "../../src/config.ts";

const auth: AuthConfig = {
  domain: "https://docex-1.auth.eu-west-1.amazoncognito.com",
  clientId: "client123",
  redirectUri: "https://app.example.com/",
  scopes: ["openid", "email"],
};

class MemoryStore implements KeyValueStore {
  values = new Map<string, string>();
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.values.set(key, value);
  }
  removeItem(key: string) {
    this.values.delete(key);
  }
}

interface Recorded {
  url: string;
  body: URLSearchParams;
}

function tokenEndpoint(answers: object[], recorded: Recorded[]): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    recorded.push({ url: String(url), body: new URLSearchParams(String(init?.body)) });
    const answer = answers.shift() ?? { error: "invalid_grant" };
    return new Response(JSON.stringify(answer), { status: "error" in answer ? 400 : 200 });
  }) as typeof fetch;
}

test("the S256 challenge of RFC 7636's example verifier is the RFC's", async () => {
  assert.equal(
    await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  );
});

test("verifiers are 43 base64url characters and differ each time", () => {
  const a = createVerifier();
  const b = createVerifier();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});

test("the authorize URL asks for a code with the S256 challenge", () => {
  const url = new URL(authorizeUrl(auth, "CHALLENGE", "STATE"));
  assert.equal(url.origin + url.pathname, `${auth.domain}/oauth2/authorize`);
  const params = Object.fromEntries(url.searchParams);
  assert.deepEqual(params, {
    response_type: "code",
    client_id: "client123",
    redirect_uri: "https://app.example.com/",
    scope: "openid email",
    state: "STATE",
    code_challenge: "CHALLENGE",
    code_challenge_method: "S256",
  });
});

test("the code is exchanged with the verifier at the token endpoint", async () => {
  const recorded: Recorded[] = [];
  const fetcher = tokenEndpoint([{ id_token: "ID", access_token: "AC", refresh_token: "RE", expires_in: 3600 }], recorded);
  const tokens = await exchangeCode(auth, "CODE", "VERIFIER", fetcher, 1_000);
  assert.deepEqual(tokens, { idToken: "ID", accessToken: "AC", refreshToken: "RE", expiresAt: 3_601_000 });
  assert.equal(recorded[0]?.url, `${auth.domain}/oauth2/token`);
  assert.deepEqual(Object.fromEntries(recorded[0]?.body ?? []), {
    client_id: "client123",
    grant_type: "authorization_code",
    code: "CODE",
    redirect_uri: "https://app.example.com/",
    code_verifier: "VERIFIER",
  });
});

test("a session completes the sign-in it began, then refreshes an expired token", async () => {
  const store = new MemoryStore();
  const recorded: Recorded[] = [];
  const fetcher = tokenEndpoint(
    [
      { id_token: "ID1", access_token: "AC1", refresh_token: "RE1", expires_in: 3600 },
      { id_token: "ID2", access_token: "AC2", expires_in: 3600 },
    ],
    recorded,
  );
  const session = new Session(auth, store, fetcher);
  assert.equal(await session.idToken(), null, "no token before signing in");
  const authorize = new URL(await session.begin());
  const state = authorize.searchParams.get("state") ?? "";
  const back = new URL(`https://app.example.com/?code=C0DE&state=${state}`);
  assert.equal(await session.complete(back), true);
  const verifier = recorded[0]?.body.get("code_verifier") ?? "";
  assert.equal(await codeChallenge(verifier), authorize.searchParams.get("code_challenge"));
  assert.equal(await session.idToken(), "ID1");
  assert.equal(await session.idToken(Date.now() + 2 * 3600 * 1000), "ID2", "refreshed after expiry");
  assert.equal(recorded[1]?.body.get("grant_type"), "refresh_token");
  assert.equal(recorded[1]?.body.get("refresh_token"), "RE1");
});

test("an answer with another tab's state is refused", async () => {
  const session = new Session(auth, new MemoryStore(), tokenEndpoint([], []));
  await session.begin();
  await assert.rejects(session.complete(new URL("https://app.example.com/?code=C&state=forged")), SignInError);
});

test("an error from the hosted UI is reported, a URL without a code is no sign-in", async () => {
  const session = new Session(auth, new MemoryStore(), tokenEndpoint([], []));
  await assert.rejects(
    session.complete(new URL("https://app.example.com/?error=access_denied&error_description=denied")),
    /denied/,
  );
  assert.equal(await session.complete(new URL("https://app.example.com/#/jobs/1")), false);
});
