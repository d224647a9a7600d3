import { createHash, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors/takedown-error';
import { DISCLOSURE_DATA_TYPES, PACKAGE_FILE_NAME, type DisclosureDataType, type DisclosureFile } from './disclosure-files';
import { periodBounds, type SignInPeriod } from './sign-in-period';
import { keyIdOf, signBytes } from './signing-key';

/**
 * A disclosure package is one file an agency can check offline:
 *
 *   {"format":"takedown-disclosure-package/1",
 *    "manifest":"<base64 of the manifest's UTF-8 JSON>",
 *    "signature":"<base64 of the Ed25519 signature over exactly those bytes>",
 *    "files":[{"name":"ip-addresses.csv","data":"<base64>"}, ...]}
 *
 * on one line, ending in a line feed. The manifest names the request, the
 * approved scope and each file's name, size and SHA-256; the signature
 * covers the manifest bytes as they are, so no JSON canonicalisation is
 * needed to check it. Everything outside the manifest is bound to it by
 * the hashes, and a package must be byte for byte in the form written here,
 * so no byte of it can change unnoticed.
 */
export const PACKAGE_FORMAT = 'takedown-disclosure-package/1';
export const MANIFEST_FORMAT = 'takedown-disclosure-manifest/1';

/** What was approved: which accounts, which data, which period (from inclusive, to exclusive). */
export interface DisclosureScope {
  accountIds: string[];
  dataTypes: DisclosureDataType[];
  period: SignInPeriod;
}

export interface ManifestFile {
  name: string;
  mediaType: DisclosureFile['mediaType'];
  size: number;
  /** Lower-case hex. */
  sha256: string;
  records: number;
}

export interface DisclosureManifest {
  format: typeof MANIFEST_FORMAT;
  packageId: string;
  requestId: string;
  createdAt: string;
  /** SHA-256 of the signing public key's SPKI DER, hex (keyIdOf). */
  signingKeyId: string;
  scope: DisclosureScope;
  files: ManifestFile[];
}

export interface BuildPackageInput {
  packageId: string;
  requestId: string;
  /** ISO 8601. */
  createdAt: string;
  scope: DisclosureScope;
  files: readonly DisclosureFile[];
}

export interface BuiltPackage {
  /** The single-file package, as an agency downloads it. */
  container: Buffer;
  manifest: DisclosureManifest;
  /** SHA-256 of the container, hex: what the audit records. */
  sha256: string;
  /** SHA-256 of the manifest's bytes exactly as signed, hex. */
  manifestSha256: string;
}

/** The envelope as written: the one serialisation builder and verifier share. */
export interface PackageEnvelope {
  manifest: string;
  signature: string;
  files: { name: string; data: string }[];
}

export function buildDisclosurePackage(input: BuildPackageInput, signingKey: KeyObject): BuiltPackage {
  checkScope(input.scope);
  const createdAt = new Date(input.createdAt);
  if (Number.isNaN(createdAt.getTime())) throw new ValidationError('createdAt is not a date', '/createdAt');
  if (!input.packageId || !input.requestId) throw new ValidationError('a package needs a package id and a request id', input.packageId ? '/requestId' : '/packageId');
  const names = new Set<string>();
  for (const f of input.files) {
    if (!PACKAGE_FILE_NAME.test(f.name)) throw new ValidationError(`file name ${JSON.stringify(f.name)} is not allowed (a-z 0-9 . _ -)`, '/files');
    if (names.has(f.name)) throw new ValidationError(`file ${f.name} is listed twice`, '/files');
    names.add(f.name);
  }
  const manifest: DisclosureManifest = {
    format: MANIFEST_FORMAT,
    packageId: input.packageId,
    requestId: input.requestId,
    createdAt: createdAt.toISOString(),
    signingKeyId: keyIdOf(signingKey),
    scope: { accountIds: [...input.scope.accountIds], dataTypes: [...input.scope.dataTypes], period: { from: input.scope.period.from, to: input.scope.period.to } },
    files: input.files.map((f) => ({ name: f.name, mediaType: f.mediaType, size: f.content.length, sha256: sha256Hex(f.content), records: f.records })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const container = serializeEnvelope({
    manifest: manifestBytes.toString('base64'),
    signature: signBytes(manifestBytes, signingKey).toString('base64'),
    files: input.files.map((f) => ({ name: f.name, data: f.content.toString('base64') })),
  });
  return { container, manifest, sha256: sha256Hex(container), manifestSha256: sha256Hex(manifestBytes) };
}

/** Written in pieces: a package can be larger than is comfortable as one string. */
export function serializeEnvelope(envelope: PackageEnvelope): Buffer {
  const parts: Buffer[] = [Buffer.from(`{"format":${JSON.stringify(PACKAGE_FORMAT)},"manifest":${JSON.stringify(envelope.manifest)},"signature":${JSON.stringify(envelope.signature)},"files":[`, 'utf8')];
  envelope.files.forEach((f, i) => {
    parts.push(Buffer.from(`${i === 0 ? '' : ','}{"name":${JSON.stringify(f.name)},"data":"`, 'utf8'), Buffer.from(f.data, 'latin1'), Buffer.from('"}', 'utf8'));
  });
  parts.push(Buffer.from(']}\n', 'utf8'));
  return Buffer.concat(parts);
}

/** SHA-256, hex, of bytes or of a string's UTF-8. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function checkScope(scope: DisclosureScope): void {
  if (!Array.isArray(scope.accountIds) || scope.accountIds.length === 0 || scope.accountIds.some((a) => typeof a !== 'string' || a.length === 0)) {
    throw new ValidationError('the scope names at least one account', '/scope/accountIds');
  }
  if (scope.dataTypes.length === 0 || scope.dataTypes.some((t) => !(DISCLOSURE_DATA_TYPES as readonly string[]).includes(t))) {
    throw new ValidationError(`data types are a non-empty subset of ${DISCLOSURE_DATA_TYPES.join(', ')}`, '/scope/dataTypes');
  }
  periodBounds(scope.period);
}
