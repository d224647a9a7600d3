import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors/takedown-error';
import type { LegalConfig } from './legal-config';
import { generateEncryptionKey, parseEncryptionKey } from './package-encryption';
import { generateSigningKey, parseSigningKey, publicKeyPem } from './signing-key';

export interface LegalKeys {
  signingKey: KeyObject;
  /** AES-256-GCM, 32 bytes. */
  encryptionKey: Buffer;
}

/** The development key pair and encryption key as kept on disk (PEM and base64 text). */
export interface DevLegalKeys {
  signingKeyPem: string;
  encryptionKey: string;
  publicKeyFile: string;
}

/**
 * The keys a process signs and encrypts packages with: the configured
 * ones; in development, the dev keys for whichever is not configured. In
 * production both must be configured (a ConfigError names the variable).
 */
export function legalKeys(legal: LegalConfig['legal'], dev?: DevLegalKeys): LegalKeys {
  const signing = legal.signingKey ?? dev?.signingKeyPem;
  const encryption = legal.encryptionKey ?? dev?.encryptionKey;
  if (signing === undefined) throw new ConfigError('TAKEDOWN_LEGAL_SIGNING_KEY is required in production', 'TAKEDOWN_LEGAL_SIGNING_KEY');
  if (encryption === undefined) throw new ConfigError('TAKEDOWN_LEGAL_ENCRYPTION_KEY is required in production', 'TAKEDOWN_LEGAL_ENCRYPTION_KEY');
  return { signingKey: parseSigningKey(signing), encryptionKey: parseEncryptionKey(encryption) };
}

export const DEV_KEY_FILES = { signingKey: 'signing-key.pem', publicKey: 'signing-key.pub.pem', encryptionKey: 'encryption-key' } as const;

/**
 * The development keys under `dir` (`<data dir>/legal-keys`), made on first
 * use. For composition roots and the start script only, never in
 * production: a key on a developer's disk signs nothing real. Each file is
 * written to a temporary name and linked into place, so processes starting
 * together all end up with the same keys. Secrets are 0600.
 */
export function ensureDevLegalKeys(dir: string): DevLegalKeys {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signingKeyPem = createOnce(path.join(dir, DEV_KEY_FILES.signingKey), () => generateSigningKey().export({ type: 'pkcs8', format: 'pem' }).toString());
  const encryptionKey = createOnce(path.join(dir, DEV_KEY_FILES.encryptionKey), () => `${generateEncryptionKey()}\n`).trim();
  const publicKeyFile = path.join(dir, DEV_KEY_FILES.publicKey);
  // Derived, so rewriting it is harmless: it always matches the private key on disk.
  const pub = publicKeyPem(parseSigningKey(signingKeyPem));
  if (!fs.existsSync(publicKeyFile) || fs.readFileSync(publicKeyFile, 'utf8') !== pub) fs.writeFileSync(publicKeyFile, pub, { mode: 0o644 });
  return { signingKeyPem, encryptionKey, publicKeyFile };
}

function createOnce(file: string, make: () => string): string {
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, make(), { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.unlinkSync(tmp);
    }
  }
  return fs.readFileSync(file, 'utf8');
}
