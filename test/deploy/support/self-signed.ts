/**
 * A self-signed certificate for localhost (EC P-256, one day), made with openssl: the "private
 * CA" of an operator, for the TLS proxy in front of the provider and for Redis over TLS.
 */
import { join } from 'node:path';
import { run } from './build.js';

export interface SelfSignedFiles {
  keyFile: string;
  certFile: string;
}

/** Writes `<name>-key.pem` and `<name>-cert.pem` into `dir`. */
export async function selfSignedCertificate(dir: string, name: string): Promise<SelfSignedFiles> {
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}-cert.pem`);
  const made = await run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { cwd: dir },
  );
  if (made.code !== 0) throw new Error(`openssl req failed:\n${made.output}`);
  return { keyFile, certFile };
}
