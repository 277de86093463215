// The comparison provider for benchmarks/oidc_token.py: the `oidc-provider` npm package
// configured for the same flow (code + S256 PKCE, client_secret_basic, RS256 ID tokens,
// rotating refresh tokens), on loopback. A resident who is already signed in and has
// already agreed: the interaction step signs the benchmark's account in and records the
// grant once, as solhost's session and consent do. With a fifth argument, a PostgreSQL URL,
// it keeps its codes, tokens and sessions there instead of in memory.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri, storeUrl] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const adapter = storeUrl
  ? await (await import("./postgres_adapter.mjs")).postgresAdapter(storeUrl)
  : undefined;

const provider = new Provider(issuer, {
  ...(adapter ? { adapter } : {}),
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true, methods: ["S256"] },
  scopes: ["openid", "profile", "email", "offline_access"],
  claims: { openid: ["sub"], profile: ["preferred_username", "name"], email: ["email", "email_verified"] },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, preferred_username: sub, name: sub, email: `${sub}@example.org`, email_verified: true }),
  }),
  features: { devInteractions: { enabled: false } },
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Grant: 86400, Session: 86400, Interaction: 600 },
});

provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith("/interaction/")) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === "login") {
    result = { login: { accountId: "rita" } };
  } else {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId });
    grant.addOIDCScope("openid profile email");
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
});

provider.listen(Number(port), "127.0.0.1", () => console.log("ready"));
