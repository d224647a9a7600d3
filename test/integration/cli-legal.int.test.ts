import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ElasticsearchSubscriberSource,
  decryptPackage,
  ensureDevLegalKeys,
  ensureSubscriberIndices,
  legalKeys,
  produceDisclosurePackage,
  publicKeyPem,
} from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// `npx takedown legal verify`, the built CLI, on a package made from real
// sign-ins the way the desk makes them: what an agency runs.
const CLI = path.resolve(__dirname, '..', '..', 'cli', 'bin', 'takedown.js');
let ctx: TestContext;
let dir: string;
let good: Buffer;
let pkgFile: string;
let keyFile: string;

const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

/** The package with one byte replaced. */
function withByte(at: number, value: number): string {
  const bad = Buffer.from(good);
  bad[at] = value;
  const file = path.join(dir, `changed-${at}.json`);
  fs.writeFileSync(file, bad);
  return file;
}

beforeAll(async () => {
  ctx = await createTestContext('cli-legal');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'takedown-cli-legal-'));
  const names = { accounts: `${ctx.prefix}-accounts`, signIns: `${ctx.prefix}-signins` };
  await ensureSubscriberIndices(ctx.es, names, 0);
  const operations: object[] = [{ index: { _index: names.accounts } }, { accountId: 'acc-1', username: 'suspect', phone: '+4915112345678', phoneCountry: 'DE' }];
  for (let i = 0; i < 500; i++) operations.push({ index: { _index: names.signIns } }, { accountId: 'acc-1', ip: i % 5 ? `198.51.100.${i % 250}` : `2001:db8::${i.toString(16)}`, at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() });
  await ctx.es.bulk({ operations, refresh: true });
  const source = new ElasticsearchSubscriberSource(ctx.es, { accountsIndex: names.accounts, signInsIndex: names.signIns, contentIndex: ctx.config.contentIndex });
  // The development keys, as npm start makes them under the data dir.
  const dev = ensureDevLegalKeys(path.join(dir, 'data', 'legal-keys'));
  const keys = legalKeys({ accountsIndex: names.accounts, signInsIndex: names.signIns }, dev);
  const produced = await produceDisclosurePackage(
    source,
    { packageId: 'pkg_cli', requestId: 'lr_cli', createdAt: '2026-11-30T00:00:00Z', scope: { accountIds: ['acc-1'], dataTypes: ['ip_addresses', 'phone_number'], period: { from: '2026-01-01T00:00:00Z', to: '2026-01-15T00:00:00Z' } } },
    keys,
  );
  good = decryptPackage(produced.encrypted, keys.encryptionKey, 'pkg_cli');
  pkgFile = path.join(dir, 'package.json');
  fs.writeFileSync(pkgFile, good);
  keyFile = path.join(dir, 'platform-public-key.pem');
  fs.writeFileSync(keyFile, publicKeyPem(keys.signingKey));
}, 60_000);

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await ctx.cleanup();
});

describe('npx takedown legal verify', () => {
  it('accepts a good package (exit 0): the manifest on stdout, a summary on stderr', () => {
    const r = run(['legal', 'verify', pkgFile, '--public-key', keyFile]);
    expect(r.stderr).toMatch(/^valid: package pkg_cli for request lr_cli/);
    expect(r.status).toBe(0);
    const manifest = JSON.parse(r.stdout);
    expect(manifest.files.map((f: { name: string; records: number }) => [f.name, f.records])).toEqual([
      ['phone-numbers.json', 1],
      ['phone-numbers.csv', 1],
      ['ip-addresses.json', 14 * 24],
      ['ip-addresses.csv', 14 * 24],
    ]);
  });

  it('refuses the same package with one byte changed (exit 1), saying why', () => {
    const text = good.toString('latin1');
    // A byte inside the sign-ins CSV's data: still base64, so the file decodes, to other bytes.
    const dataAt = text.indexOf('"data":"', text.indexOf('"name":"ip-addresses.csv"')) + 8 + 200;
    const other = good[dataAt] === 0x41 ? 0x42 : 0x41;
    const changed = run(['legal', 'verify', withByte(dataAt, other), '--public-key', keyFile]);
    expect([changed.status, changed.stdout, changed.stderr]).toEqual([1, '', 'invalid: file ip-addresses.csv: SHA-256 differs from the manifest\n']);
    // A byte of the signature.
    const sigAt = text.indexOf('"signature":"') + 13 + 10;
    const badSig = run(['legal', 'verify', withByte(sigAt, good[sigAt] === 0x41 ? 0x42 : 0x41), '--public-key', keyFile]);
    expect([badSig.status, badSig.stderr]).toEqual([1, 'invalid: bad signature: the manifest or its signature was changed\n']);
    // The last byte (the line feed).
    expect(run(['legal', 'verify', withByte(good.length - 1, 0x20), '--public-key', keyFile]).status).toBe(1);
  });

  it('refuses a missing or an extra file, and a package signed with another key', () => {
    const env = JSON.parse(good.toString());
    const missing = path.join(dir, 'missing.json');
    fs.writeFileSync(missing, `${JSON.stringify({ ...env, files: env.files.slice(1) })}\n`);
    expect(run(['legal', 'verify', missing, '--public-key', keyFile]).stderr).toBe('invalid: missing file phone-numbers.json: listed in the manifest, not in the package\n');
    const extra = path.join(dir, 'extra.json');
    fs.writeFileSync(extra, `${JSON.stringify({ ...env, files: [...env.files, { name: 'more.csv', data: 'YQ==' }] })}\n`);
    const r = run(['legal', 'verify', extra, '--public-key', keyFile]);
    expect([r.status, r.stderr]).toEqual([1, 'invalid: extra file more.csv: not in the manifest\n']);
    const otherKey = path.join(dir, 'other.pem');
    fs.writeFileSync(otherKey, publicKeyPem(generateKeyPairSync('ed25519').publicKey));
    const wrong = run(['legal', 'verify', pkgFile, '--public-key', otherKey]);
    expect([wrong.status, wrong.stderr]).toEqual([1, expect.stringMatching(/^invalid: bad signature: the package names signing key [0-9a-f]{64}, the public key given is [0-9a-f]{64}\n$/)]);
    expect(run(['legal', 'verify', path.join(dir, 'nope.json'), '--public-key', keyFile])).toMatchObject({ status: 1, stderr: expect.stringContaining('ENOENT') });
  });

  it('uses the data dir’s development public key when no key is given; without one, or without a package, it is a usage error (exit 2)', () => {
    const withDev = run(['legal', 'verify', pkgFile], { TAKEDOWN_DATA_DIR: path.join(dir, 'data') });
    expect([withDev.status, withDev.stderr]).toEqual([0, expect.stringContaining('signing-key.pub.pem')]);
    const none = run(['legal', 'verify', pkgFile], { TAKEDOWN_DATA_DIR: path.join(dir, 'empty') });
    expect([none.status, none.stderr]).toEqual([2, expect.stringContaining('--public-key')]);
    expect(run(['legal', 'verify']).status).toBe(2);
    expect(run(['legal', 'sign', pkgFile]).status).toBe(2);
  });

  it('--json: the manifest is the document and stderr stays empty; a refusal is a JSON error with its code', () => {
    const ok = run(['legal', 'verify', pkgFile, '--public-key', keyFile, '--json']);
    expect([ok.status, JSON.parse(ok.stdout).packageId, ok.stderr]).toEqual([0, 'pkg_cli', '']);
    const sigAt = good.toString('latin1').indexOf('"signature":"') + 13 + 10;
    const bad = run(['legal', 'verify', withByte(sigAt, good[sigAt] === 0x41 ? 0x42 : 0x41), '--public-key', keyFile, '--json']);
    expect([bad.status, bad.stdout, JSON.parse(bad.stderr)]).toEqual([1, '', { error: { exitCode: 1, code: 'package_invalid', message: 'bad signature: the manifest or its signature was changed' } }]);
  });
});
