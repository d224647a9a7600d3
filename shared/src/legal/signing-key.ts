import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors/takedown-error';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The Ed25519 private key packages are signed with, from config: a PKCS#8
 * PEM (a literal "\n" stands for a line break, as env files often carry
 * it) or the base64 32-byte seed. Throws a ConfigError naming the variable,
 * never the value.
 */
export function parseSigningKey(value: string, variable = 'TAKEDOWN_LEGAL_SIGNING_KEY'): KeyObject {
  const text = value.trim().replace(/\\n/g, '\n');
  let key: KeyObject;
  try {
    if (text.startsWith('-----BEGIN')) key = createPrivateKey({ key: text, format: 'pem' });
    else {
      const seed = Buffer.from(text, 'base64');
      if (seed.length !== 32 || seed.toString('base64') !== text) throw new Error('not a 32-byte base64 seed');
      key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    }
  } catch {
    throw new ConfigError(`${variable} is not an Ed25519 private key (PKCS#8 PEM or base64 32-byte seed)`, variable);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(`${variable} is not an Ed25519 key`, variable);
  return key;
}

/** A public key an agency was given (SPKI PEM), for verifying packages. */
export function parsePublicKey(pem: string): KeyObject {
  const key = createPublicKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key;
}

/** A fresh Ed25519 private key (development key pairs, tests). */
export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** The public key to publish, as SPKI PEM: what an agency verifies packages with. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The key's fingerprint: SHA-256 of the SPKI DER, hex. An agency can
 * compute it with `openssl pkey -pubin -in key.pem -outform DER | sha256sum`.
 */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Ed25519 signature (64 bytes) over the exact bytes given. */
export function signBytes(data: Uint8Array, privateKey: KeyObject): Buffer {
  return sign(null, data, privateKey);
}

export function verifyBytes(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  try {
    return verify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}
