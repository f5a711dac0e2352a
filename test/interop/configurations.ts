/**
 * The relying-party configurations the interop suite runs each third-party RP with: the one
 * their users usually write (the default scopes, no prompt=consent, no EMAIL_DOMAIN on the
 * provider) and the one that sends prompt=consent.
 */
import { execFileSync } from 'node:child_process';

export interface RpConfiguration {
  name: string;
  scope: string;
  /** Sent as prompt=… when set. */
  prompt?: string;
}

export const RP_CONFIGURATIONS: RpConfiguration[] = [
  { name: 'usual configuration (openid profile email offline_access, no prompt)', scope: 'openid profile email offline_access' },
  { name: 'with prompt=consent', scope: 'openid profile email offline_access', prompt: 'consent' },
];

/** The installed Debian package's version, for naming the software a check ran against. */
export function debianVersion(pkg: string): string {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim() || 'not installed';
  } catch {
    return 'not installed';
  }
}
