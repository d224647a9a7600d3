import { randomBytes } from 'node:crypto';
import { ConfigError, TakedownError } from '../errors/takedown-error';
import { decryptPackage, encryptPackage, generateEncryptionKey, parseEncryptionKey } from './package-encryption';

describe('package encryption at rest (AES-256-GCM)', () => {
  const key = parseEncryptionKey(generateEncryptionKey());
  const plain = Buffer.from('{"format":"takedown-disclosure-package/1"}\n');

  it('round-trips, with a fresh 96-bit nonce each time', () => {
    const a = encryptPackage(plain, key, 'pkg_1');
    const b = encryptPackage(plain, key, 'pkg_1');
    expect(a.subarray(0, 4).toString()).toBe('TDE1');
    expect(a).toHaveLength(4 + 8 + 12 + plain.length + 16);
    // The nonces differ, so the ciphertexts do.
    expect(a.subarray(12, 24).equals(b.subarray(12, 24))).toBe(false);
    expect(decryptPackage(a, key, 'pkg_1')).toEqual(plain);
    expect(decryptPackage(b, key, 'pkg_1')).toEqual(plain);
    expect(decryptPackage(encryptPackage(Buffer.alloc(0), key, 'p'), key, 'p')).toEqual(Buffer.alloc(0));
  });

  it('binds the package id: a blob stored under another id does not decrypt', () => {
    const blob = encryptPackage(plain, key, 'pkg_1');
    expect(() => decryptPackage(blob, key, 'pkg_2')).toThrow(/authentication failed/);
  });

  it('refuses every single changed byte, header included', () => {
    const blob = encryptPackage(plain, key, 'pkg_1');
    for (let i = 0; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i] = (bad[i] as number) ^ 0x01;
      expect(() => decryptPackage(bad, key, 'pkg_1')).toThrow(TakedownError);
    }
    expect(() => decryptPackage(blob.subarray(0, 20), key, 'pkg_1')).toThrow(/not an encrypted package/);
  });

  it('tells a blob sealed with another key apart from a changed one', () => {
    const blob = encryptPackage(plain, key, 'pkg_1');
    expect(() => decryptPackage(blob, randomBytes(32), 'pkg_1')).toThrow(/another key/);
  });

  it('reads the key from config as base64 of exactly 32 bytes, naming the variable on error', () => {
    expect(parseEncryptionKey(` ${key.toString('base64')} `)).toEqual(key);
    for (const bad of [randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not base64 at all', key.toString('hex')]) {
      expect(() => parseEncryptionKey(bad)).toThrow(ConfigError);
      expect(() => parseEncryptionKey(bad)).toThrow(/^TAKEDOWN_LEGAL_ENCRYPTION_KEY must be 32 bytes, base64$/);
    }
  });
});
