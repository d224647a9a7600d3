import { TakedownError } from '../errors/takedown-error';
import { ipAddressFiles, phoneNumberFiles, type DisclosureFile } from './disclosure-files';
import { buildDisclosurePackage, type DisclosureManifest, type DisclosureScope } from './disclosure-package';
import type { LegalKeys } from './legal-keys';
import { encryptPackage } from './package-encryption';
import { periodBounds } from './sign-in-period';
import type { SignIn, SubscriberSource } from './subscriber-source';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export interface ProduceInput {
  packageId: string;
  requestId: string;
  /** ISO 8601; the caller's clock, so a retried job writes the same manifest time. */
  createdAt: string;
  /** Only approved targets' accounts × approved data types × the approved period. */
  scope: DisclosureScope;
}

export interface ProducedPackage {
  /** The package encrypted at rest (encryptPackage with the package id); the plaintext is never handed out here. */
  encrypted: Buffer;
  manifest: DisclosureManifest;
  /** SHA-256 of the plaintext package, hex: the audit's record of what left. */
  sha256: string;
  /** SHA-256 of the signed manifest's bytes, hex. */
  manifestSha256: string;
  /** Size of the plaintext package. */
  bytes: number;
}

/**
 * Reads exactly the approved data through the subscriber source and turns
 * it into a signed, encrypted package: the phone numbers when
 * `phone_number` was approved, the sign-ins of the period when
 * `ip_addresses` was. Every record is checked against the scope once more
 * on the way in, so a source that answered beyond what it was asked could
 * not widen a disclosure.
 */
export async function produceDisclosurePackage(source: SubscriberSource, input: ProduceInput, keys: LegalKeys): Promise<ProducedPackage> {
  const { scope } = input;
  const accounts = new Set(scope.accountIds);
  const { fromMs, toMs } = periodBounds(scope.period);
  const fromIso = new Date(fromMs).toISOString();
  const toIso = new Date(toMs).toISOString();
  const beyond = () => new TakedownError('disclosure_out_of_scope', 'the subscriber source returned data outside the approved scope', 500);

  const phones = scope.dataTypes.includes('phone_number')
    ? source.phoneOf(scope.accountIds).then((records) => {
        if (records.some((r) => !accounts.has(r.accountId))) throw beyond();
        return phoneNumberFiles(records);
      })
    : Promise.resolve([] as DisclosureFile[]);
  const signIns = scope.dataTypes.includes('ip_addresses') ? ipAddressFiles(checked(source.signIns(scope.accountIds, scope.period))) : Promise.resolve([] as DisclosureFile[]);

  async function* checked(pages: AsyncIterable<SignIn[]>): AsyncGenerator<SignIn[]> {
    for await (const page of pages) {
      for (const r of page) {
        // Times in the source's form (ISO 8601 UTC, milliseconds) compare as text; any other form is read as a date.
        const at = ISO_MS.test(r.at) ? r.at : isoOrEmpty(r.at);
        if (!accounts.has(r.accountId) || !(at >= fromIso && at < toIso)) throw beyond();
      }
      yield page;
    }
  }

  const [phoneFiles, signInFiles] = await Promise.all([phones, signIns]);
  const files = [...phoneFiles, ...signInFiles];
  const built = buildDisclosurePackage({ ...input, files }, keys.signingKey);
  return { encrypted: encryptPackage(built.container, keys.encryptionKey, input.packageId), manifest: built.manifest, sha256: built.sha256, manifestSha256: built.manifestSha256, bytes: built.container.length };
}

/** An instant as ISO 8601 UTC with milliseconds; '' (before every period) when it is no date. */
function isoOrEmpty(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}
