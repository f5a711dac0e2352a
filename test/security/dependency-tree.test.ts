/**
 * The production dependency tree stays small: every package shipped is code that runs in the
 * provider and that a scanner must clear. EJS templates no longer pull a build tool (jake,
 * filelist, minimatch, async: EJS 5 dropped them). qrcode, the QR encoder our stack is fixed on,
 * still brings its command line's yargs 15 tree (qrcode 1.5.4 is its newest release); the
 * provider never loads it (only qrcode's `bin` does), SECURITY.md says so. Read from
 * package-lock.json, which is what `npm ci --omit=dev` installs in the image.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
}

function productionPackages(): Map<string, string> {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const shipped = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.devOptional) continue;
    shipped.set(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), entry.version ?? '');
  }
  return shipped;
}

describe('the production dependency tree', () => {
  it('ships no template build tool: no jake, filelist, minimatch, async', () => {
    const shipped = productionPackages();
    for (const name of ['jake', 'filelist', 'minimatch', 'async']) {
      expect(shipped.has(name), `${name}@${shipped.get(name)} is shipped`).toBe(false);
    }
  });

  it('stays small: at most 150 production packages', () => {
    expect(productionPackages().size).toBeLessThanOrEqual(150);
  });
});
