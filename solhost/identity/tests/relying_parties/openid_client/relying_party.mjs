// A relying party built on openid-client (panva's certified library), driven by
// solhost/identity/tests/test_openid_client.py over JSON lines: it writes one object per
// line to stdout and reads the test's answers, one per line, from stdin. The test plays
// the resident's browser; everything a service does is done here, by the library.
//
// Usage: node relying_party.mjs   (settings in the first line read from stdin:
//   {"issuer", "client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri"})
import { createInterface } from "node:readline";
import * as client from "openid-client";

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function receive() {
  const { value, done } = await lines.next();
  if (done) throw new Error("the test closed stdin before answering");
  return JSON.parse(value);
}

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// What the server answered when the library refused a response, for the test to judge:
// an OAuth error is in the body (error.error) or, for a bearer token, in the
// WWW-Authenticate challenges (error.cause).
function refusal(error) {
  const challenge = Array.isArray(error.cause) ? error.cause[0]?.parameters : error.cause;
  return {
    name: error.name,
    code: error.code ?? null,
    error: error.error ?? challenge?.error ?? null,
    status: error.status ?? error.response?.status ?? null,
    message: error.message,
  };
}

async function refused(attempt) {
  try {
    await attempt();
  } catch (error) {
    return refusal(error);
  }
  return null;
}

// One of this service's authorization requests, with its own PKCE verifier, nonce and
// state, and what the library checks the answer against.
async function authorizationRequest(config, settings, parameters) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedNonce = client.randomNonce();
  const expectedState = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirect_uri,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: "S256",
    nonce: expectedNonce,
    state: expectedState,
    ...parameters,
  });
  return { url, checks: { pkceCodeVerifier, expectedNonce, expectedState } };
}

async function main() {
  const settings = await receive();
  const config = await client.discovery(
    new URL(settings.issuer),
    settings.client_id,
    settings.client_secret,
    client.ClientSecretBasic(settings.client_secret),
    // The test server is plain http on loopback; openid-client v6 refuses any http
    // issuer unless told to, and real deployments are https.
    { execute: [client.allowInsecureRequests] },
  );
  const metadata = config.serverMetadata();

  const first = await authorizationRequest(config, settings, {
    scope: "openid profile email offline_access",
  });
  send({ event: "authorize", url: first.url.href });

  const { callback } = await receive();
  // Checks state, the RFC 9207 iss parameter (the server advertises it), the PKCE
  // verifier at the token endpoint, and the ID token: signature (from the JWKS),
  // iss, aud, exp, iat, nonce.
  const tokens = await client.authorizationCodeGrant(config, new URL(callback), first.checks);
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  // A silent check that the same resident is still signed in, naming them by the ID
  // token just received (prompt=none with id_token_hint), as single-page apps do.
  const hinted = await authorizationRequest(config, settings, {
    scope: "openid",
    prompt: "none",
    id_token_hint: tokens.id_token,
  });
  send({ event: "authorize_silently", url: hinted.url.href });
  const { callback: hintCallback } = await receive();
  const silentTokens = await client.authorizationCodeGrant(
    config,
    new URL(hintCallback),
    hinted.checks,
  );
  const silentSub = silentTokens.claims().sub;

  // Refreshed ID tokens are checked against the first one's sub by the library.
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const refreshedClaims = refreshed.claims() ?? null;
  const userinfoAfterRefresh = await client.fetchUserInfo(
    config,
    refreshed.access_token,
    claims.sub,
  );
  const refreshToken = refreshed.refresh_token ?? tokens.refresh_token;

  await client.tokenRevocation(config, refreshed.access_token, {
    token_type_hint: "access_token",
  });
  const userinfoAfterRevocation = await refused(() =>
    client.fetchUserInfo(config, refreshed.access_token, claims.sub),
  );
  await client.tokenRevocation(config, refreshToken, { token_type_hint: "refresh_token" });
  const refreshAfterRevocation = await refused(() =>
    client.refreshTokenGrant(config, refreshToken),
  );

  const logoutState = client.randomState();
  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: refreshed.id_token ?? tokens.id_token,
    post_logout_redirect_uri: settings.post_logout_redirect_uri,
    state: logoutState,
  });
  send({
    event: "signed_in",
    discovery: metadata,
    scope: tokens.scope ?? null,
    token_type: tokens.token_type,
    has_refresh_token: Boolean(tokens.refresh_token),
    id_token_claims: claims,
    userinfo,
    silently_signed_in_as: silentSub,
    refreshed: {
      new_access_token: refreshed.access_token !== tokens.access_token,
      new_refresh_token: Boolean(refreshed.refresh_token) && refreshed.refresh_token !== tokens.refresh_token,
      id_token_claims: refreshedClaims,
    },
    userinfo_after_refresh: userinfoAfterRefresh,
    userinfo_after_revocation: userinfoAfterRevocation,
    refresh_after_revocation: refreshAfterRevocation,
    end_session_url: endSessionUrl.href,
  });

  const { signed_out: signedOut } = await receive();
  const returned = new URL(signedOut);
  // The service then checks without showing anything whether the resident is still
  // signed in (prompt=none), as single-page apps do; the region's refusal has to reach
  // the library as the OAuth error it is.
  const silent = await authorizationRequest(config, settings, {
    scope: "openid",
    prompt: "none",
  });
  send({
    event: "signed_out",
    at: `${returned.origin}${returned.pathname}`,
    state_matches: returned.searchParams.get("state") === logoutState,
    silent_authorize_url: silent.url.href,
  });

  const { callback: silentCallback } = await receive();
  const silentAnswer = await refused(() =>
    client.authorizationCodeGrant(config, new URL(silentCallback), silent.checks),
  );
  send({ event: "silently_answered", refusal: silentAnswer });
}

main().then(
  () => process.exit(0),
  (error) => {
    send({ event: "failed", ...refusal(error), stack: error.stack });
    process.exit(1);
  },
);
