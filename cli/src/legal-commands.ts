import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { keyIdOf, parsePublicKey, verifyDisclosurePackage } from '@takedown/shared';

export const LEGAL_USAGE = `  takedown legal verify PACKAGE [--public-key FILE]
                             check a disclosure package offline: the signature with the platform's
                             public key (default: this checkout's development key), every file's
                             size and SHA-256, no file missing or extra; exit 0 valid, 1 invalid
`;

/**
 * `takedown legal …`: what an agency runs on a package it downloaded.
 * Needs no server and no secret: the package and the platform's published
 * public key. On success the manifest goes to stdout (for scripts), a
 * summary to stderr; on failure the reason goes to stderr and the exit code is 1.
 */
export function legalCommand(args: string[], defaultPublicKeyFile: string): number {
  const [command, ...rest] = args;
  if (command !== 'verify') {
    process.stderr.write(`usage:\n${LEGAL_USAGE}`);
    return 2;
  }
  let values: { 'public-key'?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { 'public-key': { type: 'string' } }, allowPositionals: true }));
  } catch (err) {
    process.stderr.write(`takedown: ${(err as Error).message}\nusage:\n${LEGAL_USAGE}`);
    return 2;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    process.stderr.write(`usage:\n${LEGAL_USAGE}`);
    return 2;
  }
  const keyFile = values['public-key'] ?? defaultPublicKeyFile;
  if (values['public-key'] === undefined && !fs.existsSync(keyFile)) {
    process.stderr.write(`takedown: no public key: pass --public-key FILE (the key the platform publishes for its disclosure packages)\n`);
    return 2;
  }
  let publicKey;
  try {
    publicKey = parsePublicKey(fs.readFileSync(keyFile, 'utf8'));
  } catch (err) {
    process.stderr.write(`takedown: ${keyFile} is not an Ed25519 public key (SPKI PEM): ${(err as Error).message}\n`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    process.stderr.write(`invalid: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  const result = verifyDisclosurePackage(bytes, publicKey);
  if (!result.ok) {
    process.stderr.write(`invalid: ${result.reason}\n`);
    return 1;
  }
  const m = result.manifest;
  process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
  process.stderr.write(
    [
      `valid: package ${m.packageId} for request ${m.requestId}, created ${m.createdAt}`,
      `  signed by key ${keyIdOf(publicKey)}${values['public-key'] === undefined ? ` (${keyFile})` : ''}`,
      ...m.files.map((f) => `  ${f.name}: ${f.size} bytes, ${f.records} records, sha256 ${f.sha256}`),
      '',
    ].join('\n'),
  );
  return 0;
}
