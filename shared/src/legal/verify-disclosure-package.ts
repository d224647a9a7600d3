import type { KeyObject } from 'node:crypto';
import { isJsonObject } from '../validation/is-json-object';
import { PACKAGE_FILE_NAME } from './disclosure-files';
import { MANIFEST_FORMAT, PACKAGE_FORMAT, serializeEnvelope, sha256Hex, type DisclosureManifest, type PackageEnvelope } from './disclosure-package';
import { keyIdOf, verifyBytes } from './signing-key';

export type PackageVerification =
  | { ok: true; manifest: DisclosureManifest; files: { name: string; content: Buffer }[] }
  /** `file` names the file at fault, when one is. */
  | { ok: false; reason: string; file?: string };

/**
 * What an agency runs (through `takedown legal verify`): the signature over
 * the manifest with the platform's published public key, then every file
 * against the manifest (none missing, none extra, each size and SHA-256
 * equal), then that the package is byte for byte in its written form, so a
 * change anywhere, even in an encoding detail, is refused. Never throws on
 * bad input: every failure is a reason.
 */
export function verifyDisclosurePackage(container: Uint8Array, publicKey: KeyObject): PackageVerification {
  const bytes = Buffer.from(container.buffer, container.byteOffset, container.byteLength);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('not a disclosure package: not UTF-8 JSON');
  }
  const envelope = envelopeOf(parsed);
  if (typeof envelope === 'string') return fail(`not a disclosure package: ${envelope}`);

  const manifestBytes = strictBase64(envelope.manifest);
  const signature = strictBase64(envelope.signature);
  if (!manifestBytes || !signature) return fail('the manifest or the signature is not base64');
  if (!verifyBytes(manifestBytes, signature, publicKey)) {
    const claimed = signingKeyIdOf(manifestBytes);
    const given = keyIdOf(publicKey);
    return fail(claimed && claimed !== given ? `bad signature: the package names signing key ${claimed}, the public key given is ${given}` : 'bad signature: the manifest or its signature was changed');
  }

  let manifest: DisclosureManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as DisclosureManifest;
  } catch {
    return fail('the manifest is not JSON');
  }
  const shape = manifestProblem(manifest);
  if (shape) return fail(`the manifest is malformed: ${shape}`);
  if (manifest.signingKeyId !== keyIdOf(publicKey)) return fail('the manifest names another signing key than the one that signed it');

  const present = new Map<string, string>();
  for (const f of envelope.files) {
    if (present.has(f.name)) return fail(`file ${f.name} appears twice`, f.name);
    present.set(f.name, f.data);
  }
  const listed = new Set(manifest.files.map((f) => f.name));
  for (const name of present.keys()) if (!listed.has(name)) return fail(`extra file ${name}: not in the manifest`, name);
  const files: { name: string; content: Buffer }[] = [];
  for (const entry of manifest.files) {
    const data = present.get(entry.name);
    if (data === undefined) return fail(`missing file ${entry.name}: listed in the manifest, not in the package`, entry.name);
    const content = strictBase64(data);
    if (!content) return fail(`file ${entry.name}: not base64`, entry.name);
    if (content.length !== entry.size) return fail(`file ${entry.name}: ${content.length} bytes, the manifest says ${entry.size}`, entry.name);
    if (sha256Hex(content) !== entry.sha256) return fail(`file ${entry.name}: SHA-256 differs from the manifest`, entry.name);
    files.push({ name: entry.name, content });
  }
  if (!serializeEnvelope(envelope).equals(bytes)) return fail('the package is not in its written form: bytes outside the signed parts were changed');
  return { ok: true, manifest, files };
}

function fail(reason: string, file?: string): PackageVerification {
  return file === undefined ? { ok: false, reason } : { ok: false, reason, file };
}

/** The envelope, or what is wrong with it. Exactly these keys, in this order, is checked by the byte comparison at the end. */
function envelopeOf(v: unknown): PackageEnvelope | string {
  if (!isJsonObject(v)) return 'not a JSON object';
  if (v['format'] !== PACKAGE_FORMAT) return `format is not ${PACKAGE_FORMAT}`;
  const { manifest, signature, files } = v;
  if (typeof manifest !== 'string' || typeof signature !== 'string') return 'no manifest or signature';
  if (!Array.isArray(files)) return 'no file list';
  const out: PackageEnvelope['files'] = [];
  for (const f of files) {
    if (!isJsonObject(f) || typeof f['name'] !== 'string' || typeof f['data'] !== 'string') return 'a file entry is not {name, data}';
    out.push({ name: f['name'], data: f['data'] });
  }
  return { manifest, signature, files: out };
}

/** Base64 that decodes and encodes back to itself: Node's decoder skips stray characters, which would let a byte change pass. */
function strictBase64(s: string): Buffer | undefined {
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

function signingKeyIdOf(manifestBytes: Buffer): string | undefined {
  try {
    const m = JSON.parse(manifestBytes.toString('utf8')) as { signingKeyId?: unknown };
    return typeof m.signingKeyId === 'string' ? m.signingKeyId : undefined;
  } catch {
    return undefined;
  }
}

function manifestProblem(m: unknown): string | undefined {
  if (!isJsonObject(m)) return 'not an object';
  if (m['format'] !== MANIFEST_FORMAT) return `format is not ${MANIFEST_FORMAT}`;
  for (const k of ['packageId', 'requestId', 'createdAt', 'signingKeyId']) if (typeof m[k] !== 'string') return `no ${k}`;
  if (!isJsonObject(m['scope'])) return 'no scope';
  const files = m['files'];
  if (!Array.isArray(files)) return 'no file list';
  const names = new Set<string>();
  for (const f of files) {
    if (!isJsonObject(f)) return 'a file entry is not an object';
    const name = f['name'];
    if (typeof name !== 'string' || !PACKAGE_FILE_NAME.test(name)) return 'a file name is missing or not allowed';
    if (names.has(name)) return `file ${name} is listed twice`;
    names.add(name);
    if (!Number.isSafeInteger(f['size']) || typeof f['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(f['sha256'])) return `file ${name} has no size or SHA-256`;
  }
  return undefined;
}
