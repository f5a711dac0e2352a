/**
 * The production dependency tree stays small: every package shipped is code that runs in the
 * provider and that a scanner must clear. EJS templates no longer pull a build tool (jake,
 * filelist, minimatch, async: EJS 5 dropped them) and QR codes no longer pull a 2020-era CLI
 * (qrcode's yargs 15 tree: lean-qr has no dependencies). Read from package-lock.json, which is
 * what `npm ci --omit=dev` installs in the image.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';

interface LockEntry { version?: string; dev?: boolean; devOptional?: boolean }

function productionPackages(): Map<string, string> {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, LockEntry> };
  const shipped = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.devOptional) continue;
    shipped.set(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), entry.version ?? '');
  }
  return shipped;
}

describe('the production dependency tree', () => {
  it('ships no build tool or CLI tree: no jake, filelist, minimatch, async, yargs, pngjs', () => {
    const shipped = productionPackages();
    for (const name of ['jake', 'filelist', 'minimatch', 'async', 'yargs', 'yargs-parser', 'pngjs', 'dijkstrajs']) {
      expect(shipped.has(name), `${name}@${shipped.get(name)} is shipped`).toBe(false);
    }
  });

  it('stays small: at most 120 production packages', () => {
    expect(productionPackages().size).toBeLessThanOrEqual(120);
  });
});
