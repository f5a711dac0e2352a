/**
 * /.well-known/security.txt (RFC 9116): where to report a vulnerability in this deployment, with
 * the contact the operator configured (SECURITY_CONTACT). Expires (required, §2.5.5) is a
 * month ahead of each answer: the file is generated from the running configuration, so it is
 * never older than the contact it names.
 */
import Router from '@koa/router';

export interface SecurityTxt {
  contact: string[];
  policy?: string;
}

const EXPIRES_AHEAD_MS = 30 * 86_400_000;

export function securityTxtText(settings: SecurityTxt, issuer: URL, languages: string[], now = new Date()): string {
  const expires = new Date(now.getTime() + EXPIRES_AHEAD_MS);
  expires.setUTCHours(0, 0, 0, 0);
  return [
    ...settings.contact.map((contact) => `Contact: ${contact}`),
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    ...(settings.policy ? [`Policy: ${settings.policy}`] : []),
    `Preferred-Languages: ${languages.join(', ')}`,
    `Canonical: ${new URL('/.well-known/security.txt', issuer).href}`,
    '',
  ].join('\n');
}

export function securityTxtRoutes(settings: SecurityTxt, issuer: URL, languages: string[]): Router {
  const router = new Router();
  router.get('/.well-known/security.txt', (ctx) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = securityTxtText(settings, issuer, languages);
  });
  return router;
}
