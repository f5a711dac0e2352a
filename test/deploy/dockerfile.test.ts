/**
 * The Dockerfile, docker-compose.yml and the example env file, as text: the Dockerfile linted
 * (dockerfile-utils, the validator of the VS Code Docker extension) and its promises checked:
 * pinned base, non-root user, HEALTHCHECK on /healthz, production-only install, no secrets.
 * container-image.test.ts builds and runs the image for real; runtime-stage.test.ts runs the
 * runtime stage's commands outside a container.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { format, validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { loadConfig } from '../../src/config/index.js';
import { ROOT } from './support/build.js';
import { BUILD_INSTALL, RUNTIME_INSTALL } from './support/runtime.js';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');

/** Every check at its strictest. */
const STRICT: ValidatorSettings = Object.fromEntries(
  [
    'deprecatedMaintainer',
    'directiveCasing',
    'emptyContinuationLine',
    'instructionCasing',
    'instructionCmdMultiple',
    'instructionEntrypointMultiple',
    'instructionHealthcheckMultiple',
    'instructionJSONInSingleQuotes',
    'instructionWorkdirRelative',
  ].map((name) => [name, ValidationSeverity.ERROR]),
);

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions per stage, continuation lines joined, comments and directives dropped. */
function stages(text: string): Instruction[][] {
  const joined = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of joined) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') result.push([]);
    result.at(-1)?.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') });
  }
  return result;
}

const [build, runtime] = stages(dockerfile) as [Instruction[], Instruction[]];
const args = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile', () => {
  it('is clean under dockerfile-utils at its strictest, linted and formatted', () => {
    expect(validate(dockerfile, STRICT)).toEqual([]);
    expect(format(dockerfile, { insertSpaces: true, tabSize: 4 })).toEqual([]);
    // The linter is awake: it does report a broken file.
    expect(validate('FROM\nRUN\nHEALTHCHECK --interval=5 CMD true\n', STRICT).length).toBeGreaterThan(0);
  });

  it('has two stages on the same exact Node 24 LTS base, the version the project builds with', () => {
    expect(stages(dockerfile)).toHaveLength(2);
    const pkg = JSON.parse(read('package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const nodeVersion = pkg.devDependencies?.node ?? pkg.dependencies?.node;
    expect(nodeVersion).toMatch(/^24\.\d+\.\d+$/);
    for (const stage of [build, runtime]) {
      const from = args(stage, 'FROM')[0]!;
      expect(from).toMatch(/^node:24\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})? AS \w+$/);
      expect(from.startsWith(`node:${nodeVersion}-`)).toBe(true);
    }
  });

  it('builds with dev dependencies and runs with production dependencies only, from the lock file', () => {
    expect(args(build, 'RUN')[0]).toMatch(new RegExp(`&& npm ${BUILD_INSTALL.join(' ')}$`));
    expect(args(build, 'RUN').join('\n')).toMatch(/npm run build .*npm pack/);
    expect(args(build, 'COPY')).toContain('package.json package-lock.json ./');
    // The same command runtime-stage.test.ts runs.
    expect(args(runtime, 'RUN')[0]).toMatch(new RegExp(`&& npm ${RUNTIME_INSTALL.join(' ')}( |$)`));
    expect(args(runtime, 'RUN').join('\n')).not.toMatch(/npm (install|i) |npm run build/);
    expect(args(runtime, 'COPY')).toEqual(['--from=build /app ./']);
  });

  it('runs as a non-root user, listens on 0.0.0.0, exposes its port and checks /healthz', () => {
    const user = args(runtime, 'USER');
    expect(user).toEqual(['node']);
    const keywords = runtime.map((i) => i.keyword);
    // Everything after USER runs unprivileged, the CMD included.
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
    expect(keywords.lastIndexOf('RUN')).toBeLessThan(keywords.indexOf('USER'));
    const env = args(runtime, 'ENV').join(' ');
    expect(env).toContain('NODE_ENV=production');
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain('PORT=3000');
    expect(args(runtime, 'EXPOSE')).toEqual(['3000']);
    const [healthcheck] = args(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "dist\/healthcheck\.js"\]$/);
    expect(read('src/healthcheck.ts')).toContain("path: '/healthz'");
    // Exec form: node is PID 1 and receives SIGTERM itself.
    expect(args(runtime, 'CMD')).toEqual(['["node", "dist/server.js"]']);
  });

  it("caps V8's heap with the NODE_OPTIONS that docs/deploying.md documents", () => {
    const options = /NODE_OPTIONS="([^"]*)"/.exec(args(runtime, 'ENV').join(' '))?.[1];
    expect(options).toMatch(/^--max-old-space-size=\d+$/);
    expect(read('docs/deploying.md')).toContain(`NODE_OPTIONS="${options}"`);
  });

  it('bakes in no secret: no secret-looking ENV or ARG, no key, client or env file copied', () => {
    for (const stage of [build, runtime]) {
      for (const value of [...args(stage, 'ENV'), ...args(stage, 'ARG')]) {
        expect(value).not.toMatch(/KEY|SECRET|TOKEN|PASSWORD|JWKS|COOKIE|REDIS_URL/i);
      }
      for (const value of args(stage, 'COPY')) {
        expect(value).not.toMatch(/\.data|\.env|jwks|clients\.json|\. \.\/?$/);
      }
    }
  });

  it("hands a build CA (a proxy's, a private registry's) to npm only as a build secret, never into a layer", () => {
    // RUN --mount=type=secret exists only while that command runs (BuildKit, buildah); an ENV,
    // ARG or COPY of it would stay in the image. container-image.test.ts checks the built image.
    for (const stage of [build, runtime]) {
      const installs = args(stage, 'RUN').filter((run) => / npm ci /.test(`${run} `));
      expect(installs).toHaveLength(1);
      expect(installs[0]).toMatch(
        /^--mount=type=secret,id=build_ca if \[ -s \/run\/secrets\/build_ca \]; then export NODE_EXTRA_CA_CERTS=\/run\/secrets\/build_ca; fi && npm ci /,
      );
      for (const value of [...args(stage, 'ENV'), ...args(stage, 'ARG'), ...args(stage, 'COPY')])
        expect(value).not.toMatch(/CA_CERTS|\.crt|\.pem|ca-certificates/i);
    }
    // npm's cache and logs of the runtime install are not left in the image.
    expect(args(runtime, 'RUN')[0]).toMatch(/&& rm -rf \/root\/\.npm \/tmp\/\*$/);
  });

  it('has a .dockerignore that admits only the build inputs', () => {
    const rules = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(rules[0]).toBe('**');
    const admitted = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1));
    expect(admitted.sort()).toEqual([
      'config/*.example*',
      'docs',
      'package-lock.json',
      'package.json',
      'public',
      'src',
      'tsconfig.build.json',
      'tsconfig.json',
      'views',
    ]);
  });
});

describe('docker-compose.yml and config/production.env.example', () => {
  const compose = read('docker-compose.yml');
  const example = read('config/production.env.example');
  const exampleVars = Object.fromEntries(
    example
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  it('runs Redis with a password and an append-only file on a volume, unpublished', () => {
    expect(compose).toMatch(/redis-server --appendonly yes --appendfsync everysec --dir \/data -/);
    expect(compose).toMatch(/requirepass \$\$REDIS_PASSWORD/);
    expect(compose).toMatch(/- redis-data:\/data/);
    const redisService = compose.slice(compose.indexOf('\n  redis:'), compose.indexOf('\nsecrets:'));
    expect(redisService).not.toMatch(/\n {4}ports:/);
  });

  it('configures the product from the env file, with the keys and clients in a mounted directory', () => {
    expect(compose).toMatch(/env_file:\n {6}- config\/production\.env/);
    expect(compose).toContain('REDIS_URL: "redis://:${REDIS_PASSWORD:?');
    // A directory, so that a file replaced by rename is seen (live changes).
    expect(compose).toContain('JWKS_FILE: /config/jwks.json');
    expect(compose).toContain('CLIENTS_FILE: /config/clients.json');
    expect(compose).toMatch(/volumes:\n {6}- \.\/config\/live:\/config:ro/);
    expect(compose).toMatch(/stop_grace_period: 15s/);
  });

  it('has an example env file whose every variable is documented and which configures production once filled in', () => {
    const readme = read('README.md');
    for (const name of Object.keys(exampleVars).filter((n) => n !== 'REDIS_PASSWORD')) {
      expect(readme.includes(`\`${name}\``), `${name} in the README`).toBe(true);
    }
    // The placeholders refuse to start...
    expect(() => loadConfig({ ...exampleVars, NODE_ENV: 'production' }, ROOT)).toThrow(/COOKIE_KEYS is required/);
    // ...and the file, filled in as docs/deploying.md says and combined as compose does, is valid.
    const config = loadConfig(
      {
        ...exampleVars,
        NODE_ENV: 'production',
        REDIS_PASSWORD: 'a'.repeat(64),
        COOKIE_KEYS: 'k'.repeat(64),
        REDIS_URL: `redis://:${'a'.repeat(64)}@redis:6379/0`,
        JWKS: JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y' }] }),
        CLIENTS_FILE: 'config/clients.example.json',
      },
      ROOT,
    );
    expect(config.env).toBe('production');
    expect(config.trustProxy).toBe(true);
    expect(config.redis).toMatchObject({ kind: 'standalone', node: { host: 'redis', port: 6379 } });
  });
});
