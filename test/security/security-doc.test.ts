/**
 * SECURITY.md has the security model, the production checklist, the reporting
 * policy and image scanning, and its table maps every point of the security document to tests
 * that exist. Also the security document's "pin dependency versions".
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The recommendations of the security document (reference/evrmore-accounts-SECURITY.md). */
const RECOMMENDATIONS = [
  'Use HTTPS',
  'Secure secret',
  'JWT_EXPIRATION',
  'Limit access',
  'non-root user',
  'Pin dependency versions',
  'Scan images',
  'Rate limiting',
  'CORS',
  'Validate input',
  'HTTP-only cookies',
  'HTTPS for API calls',
  'Content Security Policy',
  'Log successful and failed',
  'Monitor',
  'Alert on repeated failures',
  'Vulnerability reporting',
];

describe('SECURITY.md', () => {
  const doc = read('SECURITY.md');

  it('has the sections an operator and a reporter need', () => {
    for (const heading of ['## Security model', '## Production checklist', '## Reporting a vulnerability', '## Scanning the image']) {
      expect(doc).toContain(heading);
    }
    expect(doc).toMatch(/trivy image/);
    expect(doc).toMatch(/docker scout cves/);
    expect(doc).toMatch(/\/\.well-known\/security\.txt/);
  });

  it('maps every point of the security document to tests that exist', () => {
    const table = doc.slice(doc.indexOf('| security document |'), doc.indexOf('## The protections in detail'));
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| security document') && !line.startsWith('|---'));
    for (const recommendation of RECOMMENDATIONS) {
      const row = rows.find((r) => r.split('|')[1]!.includes(recommendation));
      expect(row, recommendation).toBeDefined();
      const proofs = [...row!.matchAll(/\]\((test\/[\w/.-]+\.test\.ts)\): "([^"]+)"/g)];
      expect(proofs.length, recommendation).toBeGreaterThan(0);
      for (const [, file, name] of proofs) {
        expect(existsSync(new URL(file!, root)), file).toBe(true);
        expect(read(file!), `${file} has a test named "${name}"`).toContain(name);
      }
    }
  });

  it('names, for every protection of the table, tests that exist', () => {
    const table = doc.slice(doc.indexOf('| security document |'), doc.indexOf('## The protections in detail'));
    const rows = table.split('\n').filter((line) => line.startsWith('| (this product)'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const proofs = [...row.matchAll(/\]\((test\/[\w/.-]+\.test\.ts)\): "([^"]+)"/g)];
      expect(proofs.length, row.slice(0, 80)).toBeGreaterThan(0);
      for (const [, file, name] of proofs) {
        expect(existsSync(new URL(file!, root)), file).toBe(true);
        expect(read(file!), `${file} has a test named "${name}"`).toContain(name);
      }
    }
  });

  it('pins every dependency to an exact version, with a lockfile', () => {
    const pkg = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    const loose = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version));
    expect(loose).toEqual([]);
    const lock = JSON.parse(read('package-lock.json')) as { lockfileVersion: number; packages: Record<string, { version?: string }> };
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    }
  });

  it('documents every security variable in the README', () => {
    const readme = read('README.md');
    for (const name of [
      'TRUST_PROXY_HOPS',
      'RATE_LIMIT_CHALLENGE',
      'RATE_LIMIT_SIGNIN_IP',
      'RATE_LIMIT_TOKEN',
      'RATE_LIMIT_REGISTRATION',
      'FAILURE_ALERT_THRESHOLD',
      'FAILURE_WINDOW',
      'FAILURE_LOCKOUT',
      'ALERT_WEBHOOK_URL',
      'METRICS_TOKEN',
      'CORS_ORIGINS',
    ]) {
      expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    }
  });
});
