// A real OpenID provider for Switchboard's sign-in tests: the certified `oidc-provider` package with
// one confidential client, PKCE required, a `groups` claim in the ID token, RP-initiated logout, and a
// small login + consent page of its own. It listens on loopback only and loads nothing from outside.
//
// Options (flags, else environment):
//   --port / OP_PORT                                   the port on 127.0.0.1 (the issuer is http://127.0.0.1:PORT)
//   --client-id / OP_CLIENT_ID, --client-secret / OP_CLIENT_SECRET
//   --redirect-uri / OP_REDIRECT_URIS                  repeatable flag, or comma-separated
//   --post-logout-redirect-uri / OP_POST_LOGOUT_REDIRECT_URIS
//   --users / OP_USERS_FILE                            a JSON file: [{sub, username, email, email_verified,
//                                                      name, groups, password?}]; read on every look-up, so a
//                                                      test changes someone's groups by rewriting the file.
// A user without `password` signs in with any non-empty password.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    users: { type: 'string' },
  },
});

const list = (flag, env) => (flag?.length ? flag : (process.env[env] || '').split(',')).map((s) => s.trim()).filter(Boolean);

const port = Number(args.port || process.env.OP_PORT || 0);
const clientId = args['client-id'] || process.env.OP_CLIENT_ID || 'switchboard';
const clientSecret = args['client-secret'] || process.env.OP_CLIENT_SECRET || 'switchboard-secret';
const redirectUris = list(args['redirect-uri'], 'OP_REDIRECT_URIS');
const postLogoutRedirectUris = list(args['post-logout-redirect-uri'], 'OP_POST_LOGOUT_REDIRECT_URIS');
const usersFile = args.users || process.env.OP_USERS_FILE;
if (!port || !usersFile || redirectUris.length === 0) {
  console.error('usage: node server.mjs --port N --users users.json --redirect-uri URI [--post-logout-redirect-uri URI] [--client-id ID --client-secret S]');
  process.exit(2);
}

const issuer = `http://127.0.0.1:${port}`;
const users = () => JSON.parse(readFileSync(usersFile, 'utf8'));

const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#eef2f6;display:grid;place-items:center;min-height:100vh;margin:0;color:#1c2330}
main{background:#fff;padding:28px;border-radius:8px;box-shadow:0 1px 3px #0002;width:320px}
h1{font-size:18px;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-size:13px}
input{width:100%;box-sizing:border-box;padding:8px;border:1px solid #cfd4dc;border-radius:6px}
button{margin-top:16px;width:100%;padding:9px;border:0;border-radius:6px;background:#0d9488;color:#fff;font-size:14px;cursor:pointer}
button.secondary{background:#fff;color:#1c2330;border:1px solid #cfd4dc}.error{color:#d92d20}
</style></head><body><main>${body}</main></body></html>`;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-op-key', alg: 'RS256', use: 'sig' };

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    client_name: 'Switchboard',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // Put the scopes' claims in the ID token itself, as Okta, Entra ID and Keycloak do for groups.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Sign out', `<h1>Sign out of the test provider?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`);
      },
      postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Signed out', '<h1>You are signed out.</h1>');
      },
    },
  },
  ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Something went wrong</h1>${Object.entries(out)
      .map(([key, value]) => `<p class="error"><strong>${escape(key)}</strong>: ${escape(value)}</p>`).join('')}`);
  },
  async findAccount(ctx, sub) {
    const user = users().find((u) => u.sub === sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        const current = users().find((u) => u.sub === sub) || user;
        return {
          sub,
          preferred_username: current.username,
          name: current.name,
          email: current.email,
          email_verified: Boolean(current.email_verified),
          groups: current.groups || [],
        };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

function loginPage(uid, error = '', username = '') {
  return page('Sign in', `<h1>Test provider: sign in</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" value="${escape(username)}" autofocus required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`);
}

function consentPage(uid, clientName, scopes) {
  return page('Consent', `<h1>${escape(clientName)} asks for access</h1>
<p>It will see: ${escape(scopes.join(', '))}.</p>
<form method="post" action="/interaction/${escape(uid)}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit" class="secondary">Deny</button></form>`);
}

// Our own interactions: /interaction/:uid (show), …/login, …/confirm, …/abort.
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid));
    const client = await provider.Client.find(params.client_id);
    const scopes = [...(prompt.details.missingOIDCScope || [])];
    return send(res, 200, consentPage(uid, client?.clientName || params.client_id, scopes));
  }
  if (req.method !== 'POST') return send(res, 405, page('Error', '<h1>Method not allowed</h1>'));
  if (action === 'login') {
    const form = await readForm(req);
    const username = form.get('username') || '';
    const password = form.get('password') || '';
    const user = users().find((u) => u.username === username);
    if (!user || !password || (user.password !== undefined && user.password !== password)) {
      return send(res, 200, loginPage(uid, 'Unknown user or wrong password.', username));
    }
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person denied access.' }, { mergeWithLastSubmission: false });
  }
  return send(res, 404, page('Error', '<h1>Not found</h1>'));
}

const handle = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login|confirm|abort))?\/?(?:\?.*)?$/.exec(req.url || '');
  if (!match) return handle(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    console.error('interaction failed', error);
    if (!res.headersSent) send(res, 400, page('Error', `<h1>Sign-in could not go on</h1><p class="error">${escape(error.message)}</p>`));
  }
});

server.listen(port, '127.0.0.1', () => console.log(`test OpenID provider at ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
