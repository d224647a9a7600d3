import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '../errors/takedown-error';
import { generateSigningKey, keyIdOf, parsePublicKey, parseSigningKey, publicKeyPem, signBytes, verifyBytes } from './signing-key';

describe('package signing keys (Ed25519)', () => {
  it('reads a PKCS#8 PEM, the same PEM with literal \\n, and the base64 seed as the same key', () => {
    const key = generateSigningKey();
    const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const seed = key.export({ type: 'pkcs8', format: 'der' }).subarray(-32).toString('base64');
    const ids = [pem, pem.replace(/\n/g, '\\n'), seed].map((v) => keyIdOf(parseSigningKey(v)));
    expect(new Set(ids)).toEqual(new Set([keyIdOf(key)]));
  });

  it('refuses anything else with a ConfigError that names the variable and never the value', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const short = Buffer.alloc(16, 7).toString('base64');
    for (const bad of ['', 'not a key', short, rsa, '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----']) {
      let err: unknown;
      try {
        parseSigningKey(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe('TAKEDOWN_LEGAL_SIGNING_KEY');
      if (bad.length > 0) expect((err as Error).message).not.toContain(bad);
    }
  });

  it('publishes the public key as SPKI PEM; its id is the SHA-256 of the SPKI DER', () => {
    const key = generateSigningKey();
    const pem = publicKeyPem(key);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(publicKeyPem(createPublicKey(key))).toBe(pem);
    const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
    expect(keyIdOf(parsePublicKey(pem))).toBe(createHash('sha256').update(der).digest('hex'));
    expect(() => parsePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/Ed25519/);
  });

  it('signs bytes; another key or another byte does not verify', () => {
    const key = generateSigningKey();
    const data = Buffer.from('manifest bytes');
    const sig = signBytes(data, key);
    expect(sig).toHaveLength(64);
    const pub = createPublicKey(key);
    expect(verifyBytes(data, sig, pub)).toBe(true);
    expect(verifyBytes(Buffer.from('manifest byteS'), sig, pub)).toBe(false);
    expect(verifyBytes(data, sig, createPublicKey(generateSigningKey()))).toBe(false);
    expect(verifyBytes(data, sig.subarray(1), pub)).toBe(false);
  });
});
