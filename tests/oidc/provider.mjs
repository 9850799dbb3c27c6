// A real OpenID Connect provider (the npm package oidc-provider) for motcua's integration
// tests: one confidential client, PKCE required, the development login and consent pages, and
// RP-initiated logout. Started by the tests as a process; it prints `issuer <url>` when ready.
//
// Settings (environment):
//   PORT             port to listen on (0: any free one)
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated), POST_LOGOUT_URI
//                    the one client (motcua)
//   ACCOUNTS         JSON: { "<login>": { claims of that person } }
//   MODE             what the token endpoint does to the ID token it hands out, to play a
//                    faulty or hostile provider: "normal" (nothing), "tamper" (a claim changed
//                    after signing), "nonce", "expired", "issuer", "audience" (that claim
//                    wrong, signed again with the provider's own key).
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

const env = (name, fallback) => process.env[name] ?? fallback;
const mode = env('MODE', 'normal');
const accounts = JSON.parse(env('ACCOUNTS', '{}'));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(env('PORT', '0')), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('CLIENT_ID', 'motcua'),
      client_secret: env('CLIENT_SECRET', 'motcua-secret'),
      redirect_uris: env('REDIRECT_URIS', 'http://127.0.0.1/callback').split(','),
      post_logout_redirect_uris: [env('POST_LOGOUT_URI', 'http://127.0.0.1/')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'address', 'id_number', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'birthdate', 'preferred_username'],
    address: ['address'],
    email: ['email'],
    id_number: ['id_number'],
  },
  // The claims of the scopes granted go into the ID token itself.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts[id] ?? {}) }),
  }),
});
provider.proxy = false;

// The hostile modes rewrite the ID token the token endpoint answers with.
provider.use(async (ctx, next) => {
  await next();
  if (mode === 'normal' || ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const token = ctx.body.id_token;
  const claims = decodeJwt(token);
  const header = decodeProtectedHeader(token);
  const now = Math.floor(Date.now() / 1000);
  const resign = async (changed) =>
    new SignJWT({ ...claims, ...changed }).setProtectedHeader(header).sign(privateKey);
  switch (mode) {
    case 'tamper': {
      const [h, , s] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, id_number: '001099999999' })).toString('base64url');
      ctx.body = { ...ctx.body, id_token: `${h}.${payload}.${s}` };
      break;
    }
    case 'nonce':
      ctx.body = { ...ctx.body, id_token: await resign({ nonce: 'not-the-nonce-motcua-sent' }) };
      break;
    case 'expired':
      ctx.body = { ...ctx.body, id_token: await resign({ iat: now - 7200, exp: now - 3600 }) };
      break;
    case 'issuer':
      ctx.body = { ...ctx.body, id_token: await resign({ iss: 'http://127.0.0.1:1/another-issuer' }) };
      break;
    case 'audience':
      ctx.body = { ...ctx.body, id_token: await resign({ aud: 'another-client' }) };
      break;
    default:
      throw new Error(`unknown MODE ${mode}`);
  }
});

server.on('request', provider.callback());
console.log(`issuer ${issuer}`);
