import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors/takedown-error';
import { phoneNumberFiles } from './disclosure-files';
import { buildDisclosurePackage, type BuildPackageInput } from './disclosure-package';
import { generateSigningKey, keyIdOf, publicKeyPem } from './signing-key';
import { verifyDisclosurePackage } from './verify-disclosure-package';

const key = generateSigningKey();
const pub = createPublicKey(key);
const files = [
  ...phoneNumberFiles([{ accountId: 'user-1', phone: '+4915112345678', phoneCountry: 'DE' }]),
  { name: 'ip-addresses.csv', mediaType: 'text/csv' as const, content: Buffer.from('accountId,ip,at\r\nuser-1,198.51.100.7,2026-01-01T00:00:00.000Z\r\n'), records: 1 },
];
const input: BuildPackageInput = {
  packageId: 'pkg_1',
  requestId: 'lr_1',
  createdAt: '2026-11-30T10:00:00Z',
  scope: { accountIds: ['user-1'], dataTypes: ['ip_addresses', 'phone_number'], period: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' } },
  files,
};

/** Rewrites the package's envelope (then re-serialises it as the builder would). */
function edit(container: Buffer, change: (env: { format: string; manifest: string; signature: string; files: { name: string; data: string }[] }) => void): Buffer {
  const env = JSON.parse(container.toString('utf8'));
  change(env);
  return Buffer.from(`${JSON.stringify(env)}\n`);
}

describe('disclosure packages', () => {
  it('builds a signed manifest of every file (name, size, SHA-256) and the approved scope, and verifies it', () => {
    const built = buildDisclosurePackage(input, key);
    expect(built.manifest).toEqual({
      format: 'takedown-disclosure-manifest/1',
      packageId: 'pkg_1',
      requestId: 'lr_1',
      createdAt: '2026-11-30T10:00:00.000Z',
      signingKeyId: keyIdOf(key),
      scope: input.scope,
      files: files.map((f) => ({ name: f.name, mediaType: f.mediaType, size: f.content.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), records: 1 })),
    });
    const v = verifyDisclosurePackage(built.container, pub);
    expect(v).toMatchObject({ ok: true, manifest: built.manifest });
    if (v.ok) expect(v.files).toEqual(files.map((f) => ({ name: f.name, content: f.content })));
    // The written form is exactly one JSON line the builder's own serialiser gives.
    expect(built.container.toString()).toBe(`${JSON.stringify(JSON.parse(built.container.toString()))}\n`);
  });

  it('refuses every single changed byte anywhere in the package', () => {
    const { container } = buildDisclosurePackage(input, key);
    for (let i = 0; i < container.length; i++) {
      for (const delta of [1, 0x20]) {
        const bad = Buffer.from(container);
        bad[i] = (bad[i] as number) ^ delta;
        const v = verifyDisclosurePackage(bad, pub);
        if (v.ok) throw new Error(`byte ${i} ^ ${delta} went unnoticed`);
      }
    }
  });

  it('names what is wrong: a file whose hash differs, a missing file, an extra file, another signing key', () => {
    const { container } = buildDisclosurePackage(input, key);
    const changed = edit(container, (e) => {
      const f = e.files[2] as { data: string };
      f.data = Buffer.from(Buffer.from(f.data, 'base64').toString().replace('198.51.100.7', '198.51.100.8')).toString('base64');
    });
    expect(verifyDisclosurePackage(changed, pub)).toEqual({ ok: false, reason: 'file ip-addresses.csv: SHA-256 differs from the manifest', file: 'ip-addresses.csv' });
    const missing = edit(container, (e) => e.files.splice(0, 1));
    expect(verifyDisclosurePackage(missing, pub)).toEqual({ ok: false, reason: 'missing file phone-numbers.json: listed in the manifest, not in the package', file: 'phone-numbers.json' });
    const extra = edit(container, (e) => e.files.push({ name: 'notes.txt', data: Buffer.from('hi').toString('base64') }));
    expect(verifyDisclosurePackage(extra, pub)).toEqual({ ok: false, reason: 'extra file notes.txt: not in the manifest', file: 'notes.txt' });
    const twice = edit(container, (e) => e.files.push(e.files[0] as { name: string; data: string }));
    expect(verifyDisclosurePackage(twice, pub)).toMatchObject({ ok: false, reason: 'file phone-numbers.json appears twice' });
    const other = generateSigningKey();
    expect(verifyDisclosurePackage(container, createPublicKey(other))).toEqual({ ok: false, reason: `bad signature: the package names signing key ${keyIdOf(key)}, the public key given is ${keyIdOf(other)}` });
    // A manifest re-signed by someone else fails against the platform's key.
    const forged = buildDisclosurePackage(input, other).container;
    expect(verifyDisclosurePackage(forged, pub)).toMatchObject({ ok: false, reason: expect.stringMatching(/^bad signature/) });
    // Same JSON value, other bytes (an escaped letter, added whitespace): refused too, so the file an agency holds is the file that was signed.
    const escaped = Buffer.from(container.toString().replace('"name":"phone-numbers.json"', '"name":"\\u0070hone-numbers.json"'));
    expect(escaped.equals(container)).toBe(false);
    expect(verifyDisclosurePackage(escaped, pub)).toMatchObject({ ok: false, reason: expect.stringMatching(/not in its written form/) });
    expect(verifyDisclosurePackage(Buffer.concat([container, Buffer.from(' ')]), pub)).toMatchObject({ ok: false, reason: expect.stringMatching(/not in its written form/) });
    expect(verifyDisclosurePackage(Buffer.from('PK\u0003\u0004'), pub)).toEqual({ ok: false, reason: 'not a disclosure package: not UTF-8 JSON' });
    expect(verifyDisclosurePackage(Buffer.from('{"format":"zip"}'), pub)).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a disclosure package: format/) });
  });

  it('refuses file names that could escape a folder, duplicates, and scopes beyond the two data types', () => {
    const f = files[0] as (typeof files)[number];
    for (const name of ['../etc/passwd', 'a/b.json', '.hidden', 'UPPER.json', '']) {
      expect(() => buildDisclosurePackage({ ...input, files: [{ ...f, name }] }, key)).toThrow(ValidationError);
    }
    expect(() => buildDisclosurePackage({ ...input, files: [f, f] }, key)).toThrow(/listed twice/);
    expect(() => buildDisclosurePackage({ ...input, scope: { ...input.scope, dataTypes: ['messages' as never] } }, key)).toThrow(expect.objectContaining({ field: '/scope/dataTypes' }));
    expect(() => buildDisclosurePackage({ ...input, scope: { ...input.scope, accountIds: [] } }, key)).toThrow(expect.objectContaining({ field: '/scope/accountIds' }));
  });

  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  (hasOpenssl ? it : it.skip)('can be checked offline with standard tools: base64 and openssl, as the README tells agencies', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'takedown-pkg-'));
    try {
      const { container } = buildDisclosurePackage(input, key);
      const env = JSON.parse(container.toString());
      fs.writeFileSync(path.join(dir, 'manifest.json'), Buffer.from(env.manifest, 'base64'));
      fs.writeFileSync(path.join(dir, 'manifest.sig'), Buffer.from(env.signature, 'base64'));
      fs.writeFileSync(path.join(dir, 'key.pem'), publicKeyPem(key));
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'];
      const ok = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      expect([ok.status, ok.stdout.trim()]).toEqual([0, 'Signature Verified Successfully']);
      fs.appendFileSync(path.join(dir, 'manifest.json'), ' ');
      expect(spawnSync('openssl', args, { cwd: dir }).status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
