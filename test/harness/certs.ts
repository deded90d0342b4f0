import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from './process.js';

export interface CertificateFiles {
  /** PEM certificate; self-signed, so clients also use it as their CA. */
  certFile: string;
  /** PEM private key, unencrypted. */
  keyFile: string;
}

/** A throwaway certificate for 127.0.0.1 (CN and IP SAN), written into `dir`, for TLS tests. */
export async function createSelfSignedCertificate(dir: string): Promise<CertificateFiles> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await promisify(execFile)(requireBinary('openssl'), [
    'req', '-x509', '-nodes', '-days', '2',
    // EC keys take milliseconds to make; RSA takes far longer.
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile,
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { certFile, keyFile };
}
