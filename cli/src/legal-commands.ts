import fs from 'node:fs';
import type { Command } from 'commander';
import { keyIdOf, parsePublicKey, verifyDisclosurePackage } from '@takedown/shared';
import type { CliContext } from './cli-context';
import { CommandFailed, UsageError } from './exit-codes';
import { withJson } from './options';
import { Printer } from './printer';

/**
 * `takedown legal …`: what an agency runs on a package it downloaded.
 * Needs no server and no secret: the package and the platform's published
 * public key. On success the manifest goes to stdout (for scripts), a
 * summary to stderr; on failure the reason goes to stderr and the exit code is 1.
 */
export function registerLegalCommands(program: Command, ctx: CliContext): void {
  const legal = program.command('legal').description('what an agency runs on a disclosure package (offline)');

  withJson(
    legal
      .command('verify')
      .description(
        'check a disclosure package offline: the signature with the platform’s public key, every file’s size and SHA-256, no file missing or extra. Prints the manifest (JSON) on stdout; exit 0 valid, 1 invalid (or unreadable)',
      )
      .argument('<package>', 'the package file, as downloaded')
      .option('--public-key <file>', 'the platform’s published public key, SPKI PEM (GET /v1/legal/public-key; default: this checkout’s development key)'),
  ).action((file: string, opts: { publicKey?: string }, cmd: Command) => {
    const keyFile = opts.publicKey ?? ctx.devPublicKeyFile;
    if (opts.publicKey === undefined && !fs.existsSync(keyFile)) {
      throw new UsageError('no public key: pass --public-key FILE (the key the platform publishes for its disclosure packages)', 'public-key');
    }
    let publicKey;
    try {
      publicKey = parsePublicKey(fs.readFileSync(keyFile, 'utf8'));
    } catch (err) {
      throw new UsageError(`${keyFile} is not an Ed25519 public key (SPKI PEM): ${(err as Error).message}`, 'public-key');
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      const reason = `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      throw new CommandFailed('package_unreadable', reason, `invalid: ${reason}`);
    }
    const result = verifyDisclosurePackage(bytes, publicKey);
    if (!result.ok) throw new CommandFailed('package_invalid', result.reason, `invalid: ${result.reason}`);
    const m = result.manifest;
    const out = Printer.for(ctx.io, cmd);
    // The manifest is the document either way.
    out.result(m, JSON.stringify(m, null, 2));
    out.note(
      [
        `valid: package ${m.packageId} for request ${m.requestId}, created ${m.createdAt}`,
        `  signed by key ${keyIdOf(publicKey)}${opts.publicKey === undefined ? ` (${keyFile})` : ''}`,
        ...m.files.map((f) => `  ${f.name}: ${f.size} bytes, ${f.records} records, sha256 ${f.sha256}`),
        '',
      ].join('\n'),
    );
  });
}
