/**
 * TLS and basic auth for /metrics and /healthz from a Prometheus web-config file
 * (`http.web_config_file`), the exporter-toolkit format node_exporter uses, so the same file and
 * the same bcrypt hashes work for both:
 *
 *   tls_server_config: { cert_file, key_file, client_ca_file?, client_auth_type?, min_version? }
 *   basic_auth_users: { <user>: <bcrypt hash> }
 *
 * Relative paths are relative to the web-config file. Errors name the file and the key, never a
 * hash or a key file's content.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, validateConfig } from '../../common/config-file.js';

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
const BCRYPT = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

export const WebConfigFile = z
  .object({
    tls_server_config: z
      .object({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_ca_file: z.string().min(1).optional(),
        /** As exporter-toolkit: RequireAndVerifyClientCert needs client_ca_file. */
        client_auth_type: z.enum(['NoClientCert', 'RequireAndVerifyClientCert']).default('NoClientCert'),
        min_version: z.enum(Object.keys(TLS_VERSIONS) as [keyof typeof TLS_VERSIONS]).default('TLS12'),
      })
      .strict()
      .refine((t) => t.client_auth_type !== 'RequireAndVerifyClientCert' || t.client_ca_file, { message: 'client_auth_type RequireAndVerifyClientCert needs client_ca_file', path: ['client_ca_file'] })
      .optional(),
    basic_auth_users: z.record(z.string().min(1).regex(/^[^:]+$/, 'user names cannot contain ":"'), z.string().regex(BCRYPT, 'must be a bcrypt hash (htpasswd -nBC 10 "" | tr -d \':\\n\')')).optional(),
  })
  .strict();

export interface WebConfig {
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean; minVersion: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS] };
  /** undefined: no authentication. */
  authorize?: (header: string | undefined) => Promise<boolean>;
}

async function readPart(file: string, key: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ConfigError(file, [`${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}

export async function loadWebConfig(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the web config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    // The parser's message quotes the text, which holds password hashes.
    throw new ConfigError(file, ['not valid YAML']);
  }
  const parsed = validateConfig(WebConfigFile, doc ?? {}, file, { env: {} });
  const at = (p: string) => resolve(dirname(file), p);
  const out: WebConfig = {};
  const tls = parsed.tls_server_config;
  if (tls) {
    out.tls = {
      cert: await readPart(file, 'tls_server_config.cert_file', at(tls.cert_file)),
      key: await readPart(file, 'tls_server_config.key_file', at(tls.key_file)),
      requestCert: tls.client_auth_type === 'RequireAndVerifyClientCert',
      minVersion: TLS_VERSIONS[tls.min_version],
    };
    if (tls.client_ca_file) out.tls.ca = await readPart(file, 'tls_server_config.client_ca_file', at(tls.client_ca_file));
  }
  if (parsed.basic_auth_users && Object.keys(parsed.basic_auth_users).length > 0) out.authorize = basicAuth(new Map(Object.entries(parsed.basic_auth_users)));
  return out;
}

/**
 * Checks `Authorization: Basic …` against bcrypt hashes. bcrypt is slow on purpose (~50 ms at
 * cost 10), so a verified user:password is remembered (as a SHA-256, as exporter-toolkit caches
 * it) and a scrape every few seconds costs one hash, not one bcrypt.
 */
export function basicAuth(users: Map<string, string>): (header: string | undefined) => Promise<boolean> {
  const verified = new Map<string, Buffer>();
  return async (header) => {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const hash = users.get(user);
    if (!hash) return false;
    const digest = createHash('sha256').update(decoded).update(hash).digest();
    const known = verified.get(user);
    if (known && timingSafeEqual(known, digest)) return true;
    if (!(await bcrypt.compare(decoded.slice(colon + 1), hash))) return false;
    verified.set(user, digest);
    return true;
  };
}
