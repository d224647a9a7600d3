import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError, TakedownError } from '../errors/takedown-error';

/**
 * Encryption at rest of a stored disclosure package: AES-256-GCM, a random
 * 96-bit nonce per encryption, a 128-bit tag. Layout:
 *
 *   "TDE1" (4) | key id (8) | nonce (12) | ciphertext | tag (16)
 *
 * The key id (first 8 bytes of SHA-256 of the key) tells which key a blob
 * needs once keys rotate. The additional authenticated data is the header
 * (magic, key id, nonce) and the package id, so a blob stored under another
 * package's id, or with its header edited, does not decrypt.
 */
const MAGIC = Buffer.from('TDE1', 'ascii');
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + NONCE_BYTES;

/** A 32-byte key from its base64 config value; throws a ConfigError naming the variable, never the value. */
export function parseEncryptionKey(value: string, variable = 'TAKEDOWN_LEGAL_ENCRYPTION_KEY'): Buffer {
  const text = value.trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text) throw new ConfigError(`${variable} must be 32 bytes, base64`, variable);
  return key;
}

/** A fresh random key (development, tests), base64. */
export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

export function encryptPackage(plaintext: Uint8Array, key: Buffer, packageId: string): Buffer {
  checkKey(key);
  const header = Buffer.concat([MAGIC, keyIdOf(key), randomBytes(NONCE_BYTES)]);
  const cipher = createCipheriv('aes-256-gcm', key, header.subarray(MAGIC.length + KEY_ID_BYTES), { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(header, packageId));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Throws a TakedownError (`package_undecryptable`) on another key, another package id, or any changed byte. */
export function decryptPackage(blob: Uint8Array, key: Buffer, packageId: string): Buffer {
  checkKey(key);
  const data = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (data.length < HEADER_BYTES + TAG_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw undecryptable('not an encrypted package');
  const header = data.subarray(0, HEADER_BYTES);
  if (!header.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES).equals(keyIdOf(key))) throw undecryptable('encrypted with another key');
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length + KEY_ID_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(header, packageId));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw undecryptable('authentication failed: changed, or stored under another package id');
  }
}

function aad(header: Buffer, packageId: string): Buffer {
  return Buffer.concat([header, Buffer.from(packageId, 'utf8')]);
}

function keyIdOf(key: Buffer): Buffer {
  return createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES);
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new TakedownError('invalid_key', 'the package encryption key must be 32 bytes', 500);
}

function undecryptable(why: string): TakedownError {
  return new TakedownError('package_undecryptable', `the package cannot be decrypted: ${why}`, 500);
}
