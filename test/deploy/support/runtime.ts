/**
 * The Docker image's runtime stage, reproduced without Docker (there is no engine here): what
 * `npm pack` ships (package.json "files"), plus the lock file (which npm pack never includes),
 * installed with production dependencies only. The Dockerfile runs the same commands; the
 * Dockerfile test checks that it does.
 */
export const RUNTIME_INSTALL = ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'] as const;
export const BUILD_INSTALL = ['ci', '--ignore-scripts', '--no-audit', '--no-fund'] as const;
export const PACK = ['pack', '--pack-destination'] as const;
