#!/usr/bin/env node
// A "device" (TV, CLI, kiosk) signing in with Evrmore through the device authorization grant
// (RFC 8628): it shows a QR code of verification_uri_complete in the terminal, then polls the
// token endpoint at the interval the provider asks for, slowing down when told to.
//
//   npx evrmore-accounts clients add --file config/clients.json --id tv --name "TV" --device --public
//   ISSUER=http://localhost:3000 CLIENT_ID=tv npm run example:device
import QRCode from 'qrcode';

const issuer = process.env.ISSUER ?? 'http://localhost:3000';
const clientId = process.env.CLIENT_ID ?? 'tv';
const scope = process.env.SCOPE ?? 'openid profile evrmore';

const discovery = await (await fetch(new URL('/.well-known/openid-configuration', issuer))).json();
const form = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body),
});

const authorization = await (await fetch(discovery.device_authorization_endpoint, form({ client_id: clientId, scope }))).json();
if (authorization.error) {
  console.error(`device authorization refused: ${authorization.error}: ${authorization.error_description ?? ''}`);
  process.exit(1);
}
console.log(await QRCode.toString(authorization.verification_uri_complete, { type: 'terminal', small: true }));
console.log(`Scan the code, or open ${authorization.verification_uri} and enter ${authorization.user_code}`);

let interval = (authorization.interval ?? 5) * 1000;
const deadline = Date.now() + authorization.expires_in * 1000;
while (Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, interval));
  const answer = await (
    await fetch(
      discovery.token_endpoint,
      form({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: authorization.device_code,
        client_id: clientId,
      }),
    )
  ).json();
  if (answer.error === 'authorization_pending') continue;
  if (answer.error === 'slow_down') {
    interval += 5000;
    continue;
  }
  if (answer.error) {
    console.error(`sign-in failed: ${answer.error}: ${answer.error_description ?? ''}`);
    process.exit(1);
  }
  const claims = JSON.parse(Buffer.from(answer.id_token.split('.')[1], 'base64url').toString());
  console.log(`Signed in as ${claims.sub}`);
  process.exit(0);
}
console.error('the code expired before anyone signed in');
process.exit(1);
