// A real OpenID Connect provider for the tests (npm oidc-provider 9), on a loopback port.
//
// One fixed confidential client (PKCE required) and two accounts. There is no login page: after
// the provider sends the browser to /interaction/<uid>, the test posts the account's login name
// to /interaction/<uid>/login; consent is given at once. Prints "ready <issuer>" when listening.
//
//   node tests/oidc/provider.mjs <port>
//   OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET, OIDC_TEST_REDIRECT_URI,
//   OIDC_TEST_POST_LOGOUT_REDIRECT_URI configure the client.
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
const issuer = `http://127.0.0.1:${port}`;

export const ACCOUNTS = {
  anna: {
    sub: 'anna-1001',
    email: 'anna.student@example.org',
    email_verified: true,
    name: 'Anna Student',
    schac_home_organization: 'school.example.org',
  },
  bram: {
    sub: 'bram-2002',
    email: 'bram.begeleider@example.org',
    email_verified: true,
    name: 'Bram Begeleider',
    schac_home_organization: 'partner.example.org',
  },
};
const bySub = Object.fromEntries(Object.values(ACCOUNTS).map((a) => [a.sub, a]));

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_TEST_CLIENT_ID || 'wijklab',
    client_secret: process.env.OIDC_TEST_CLIENT_SECRET || 'wijklab-test-secret',
    redirect_uris: [process.env.OIDC_TEST_REDIRECT_URI],
    post_logout_redirect_uris: [process.env.OIDC_TEST_POST_LOGOUT_REDIRECT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'schac_home_organization'],
  },
  // SURFconext-like: the claims of the scopes go into the ID token as well.
  conformIdTokenClaims: false,
  cookies: { keys: ['wijklab-test-cookie-key-not-secret'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = bySub[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { ...account }; } };
  },
});

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (req.method === 'POST' && req.url.endsWith('/login')) {
    const form = await readBody(req);
    const account = ACCOUNTS[form.get('login')];
    if (prompt.name !== 'login' || !account) return send(res, 400, { error: 'unknown login' });
    return provider.interactionFinished(
      req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false },
    );
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  return send(res, 200, { prompt: prompt.name, uid: details.uid });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => send(res, 400, { error: String(error) }));
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
