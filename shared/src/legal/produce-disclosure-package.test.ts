import { createPublicKey } from 'node:crypto';
import { decryptPackage, generateEncryptionKey, parseEncryptionKey } from './package-encryption';
import { produceDisclosurePackage } from './produce-disclosure-package';
import { generateSigningKey } from './signing-key';
import type { PhoneRecord, SignIn, SubscriberSource } from './subscriber-source';
import { verifyDisclosurePackage } from './verify-disclosure-package';

/** An adapter answering with fixed data, recording what it was asked. */
function fixedSource(phones: PhoneRecord[], signIns: SignIn[]): SubscriberSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolveTargets() {
      return [];
    },
    async phoneOf(ids) {
      asked.push(`phoneOf ${ids.join(',')}`);
      return phones;
    },
    async *signIns(ids, period) {
      asked.push(`signIns ${ids.join(',')} ${period.from}/${period.to}`);
      yield signIns;
    },
    async heldRange() {
      return undefined;
    },
  };
}

const keys = { signingKey: generateSigningKey(), encryptionKey: parseEncryptionKey(generateEncryptionKey()) };
const period = { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' };
const input = { packageId: 'pkg_1', requestId: 'lr_1', createdAt: '2026-11-30T00:00:00Z', scope: { accountIds: ['a'], dataTypes: ['ip_addresses' as const, 'phone_number' as const], period } };

describe('produceDisclosurePackage', () => {
  it('asks the source only for the scope, and seals what it gets: encrypted under the package id, signed', async () => {
    const src = fixedSource([{ accountId: 'a', phone: '+4915112345678', phoneCountry: 'DE' }], [{ accountId: 'a', ip: '198.51.100.1', at: '2026-01-15T00:00:00.000Z' }]);
    const out = await produceDisclosurePackage(src, input, keys);
    expect(src.asked.sort()).toEqual(['phoneOf a', `signIns a ${period.from}/${period.to}`]);
    const plain = decryptPackage(out.encrypted, keys.encryptionKey, 'pkg_1');
    expect(plain).toHaveLength(out.bytes);
    expect(verifyDisclosurePackage(plain, createPublicKey(keys.signingKey))).toMatchObject({ ok: true, manifest: out.manifest });
    expect(out.manifest.files.map((f) => [f.name, f.records])).toEqual([
      ['phone-numbers.json', 1],
      ['phone-numbers.csv', 1],
      ['ip-addresses.json', 1],
      ['ip-addresses.csv', 1],
    ]);
  });

  it('reads times in other ISO forms as the instants they are', async () => {
    const src = fixedSource([], [{ accountId: 'a', ip: '198.51.100.1', at: '2026-01-31T23:59:59Z' }, { accountId: 'a', ip: '198.51.100.1', at: '2026-01-01T01:00:00+01:00' }]);
    await expect(produceDisclosurePackage(src, input, keys)).resolves.toMatchObject({ manifest: { files: expect.any(Array) } });
  });

  it('refuses a source that answers beyond the scope: another account, or a sign-in outside the period (to is exclusive)', async () => {
    const inside = { accountId: 'a', ip: '198.51.100.1', at: '2026-01-15T00:00:00.000Z' };
    const outside = [{ ...inside, accountId: 'b' }, { ...inside, at: period.to }, { ...inside, at: '2025-12-31T23:59:59.999Z' }, { ...inside, at: '2026-02-01T00:00:00Z' }, { ...inside, at: 'yesterday' }];
    for (const bad of outside) {
      await expect(produceDisclosurePackage(fixedSource([], [inside, bad]), input, keys)).rejects.toMatchObject({ code: 'disclosure_out_of_scope' });
    }
    await expect(produceDisclosurePackage(fixedSource([{ accountId: 'b', phone: '+4915112345678', phoneCountry: 'DE' }], []), input, keys)).rejects.toMatchObject({ code: 'disclosure_out_of_scope' });
  });
});
