import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { expectStatus } from './api-client';
import type { CliContext } from './cli-context';
import { CommandFailed, UsageError } from './exit-codes';
import { mandatoryOption, withJson } from './options';
import { Printer } from './printer';

/**
 * `takedown rules …`: a thin client of the moderation API's rules endpoints
 * (the API validates, audits and publishes; the CLI never writes Redis).
 */

export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(1).padStart(5)}%`;
}

/**
 * The format of a rules file: --format when given, else JSON for a `.json`
 * name or a body that opens with `[` or `{` (a CSV opens with its header),
 * else CSV. Before --json meant "print JSON", it meant "the file is JSON";
 * such files are still read as JSON by their first character.
 */
export function importFormat(file: string, content: string, format: 'csv' | 'json' | undefined): 'csv' | 'json' {
  if (format) return format;
  if (path.extname(file).toLowerCase() === '.json') return 'json';
  return /^\s*[[{]/.test(content) ? 'json' : 'csv';
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE');
  }
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`It must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
    return n;
  };
}

const ENV_HELP = `
Uses TAKEDOWN_API_URL (default http://127.0.0.1:8080) and TAKEDOWN_TOKEN, a
lead token (npx takedown token create --role lead --name you).`;

export function registerRulesCommands(program: Command, ctx: CliContext): void {
  const rules = program.command('rules').description('the rules draft, previews, publishing and backfills (over the moderation API, as a lead)').addHelpText('after', ENV_HELP);

  withJson(
    rules
      .command('import')
      .description('import rules into the draft; refuses the whole file, naming every bad line and field')
      .argument('<file>', 'a rules file: CSV (with a header) or JSON')
      .addOption(new Option('--format <format>', 'the file’s format (default: JSON for .json or a body opening with [ or {, else CSV)').choices(['csv', 'json']))
      .option('--replace', 'replace the draft (default: merge by rule id)'),
  ).action(async (file: string, opts: { format?: 'csv' | 'json'; replace?: boolean }, cmd: Command) => {
    const api = ctx.api();
    const content = readFile(file);
    const format = importFormat(file, content, opts.format);
    const mode = opts.replace ? 'replace' : 'merge';
    const body = expectStatus(await api.call('POST', '/v1/rules/draft/import', { format, content, mode }), 200);
    const out = Printer.for(ctx.io, cmd);
    out.result(body);
    out.note(`imported ${body.imported} rules into the draft (${mode}); preview with \`takedown rules preview\`, then publish`);
  });

  withJson(
    rules
      .command('import-pdq')
      .description('import a PDQ hash list (CSV or TSV: hash[,quality][,…], or with a header) into the draft as pdq rules of one named list')
      .argument('<file>', 'the hash list')
      .addOption(mandatoryOption('--list <name>', 'the list’s name (rule ids are pdq.<name>.<hash>, so a re-import merges)'))
      .addOption(mandatoryOption('--source <text>', 'where the list comes from'))
      .addOption(mandatoryOption('--category <category>', 'the category its matches fall in'))
      .addOption(mandatoryOption('--action <action>', 'what a match does (auto_remove, flag_for_review…)'))
      .option('--threshold <n>', 'the largest Hamming distance that matches, 0–48 (default 31)', integer(0, 48))
      .option('--replace', 'replace the draft (default: merge by rule id)'),
  ).action(async (file: string, opts: { list: string; source: string; category: string; action: string; threshold?: number; replace?: boolean }, cmd: Command) => {
    const api = ctx.api();
    const content = readFile(file);
    const mode = opts.replace ? 'replace' : 'merge';
    const list = { name: opts.list, source: opts.source, category: opts.category, action: opts.action, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) };
    const body = expectStatus(await api.call('POST', '/v1/rules/draft/import', { format: 'pdq-list', content, mode, list }), 200);
    const out = Printer.for(ctx.io, cmd);
    out.result(body);
    out.note(`imported ${body.imported} PDQ hashes of list ${opts.list} into the draft (${mode}); preview with \`takedown rules preview\`, then publish`);
  });

  withJson(rules.command('export').description('the draft’s rules: JSON (an array of rules), or CSV with --csv').addOption(new Option('--csv', 'CSV, the format import reads').conflicts('json'))).action(
    async (opts: { csv?: boolean }, cmd: Command) => {
      const api = ctx.api();
      const r = await api.call('GET', `/v1/rules/draft/export${opts.csv ? '?format=csv' : ''}`);
      expectStatus(r, 200);
      if (opts.csv) ctx.io.stdout(r.text.endsWith('\n') ? r.text : `${r.text}\n`);
      else Printer.for(ctx.io, cmd).result(r.body.rules, JSON.stringify(r.body.rules, null, 2));
    },
  );

  withJson(rules.command('preview').description('the draft against the published rules: counts and samples per added or changed rule, over stored posts and logged searches')).action(async (_opts: object, cmd: Command) => {
    const body = expectStatus(await ctx.api().call('GET', '/v1/rules/preview'), 200);
    const out = Printer.for(ctx.io, cmd);
    if (out.json) return out.result(body);
    const d = body.diff;
    const lines = [`draft vs published v${body.publishedVersion ?? '-'}: +${d.added.length} added, ~${d.changed.length} changed, -${d.removed.length} removed; ${body.queriesExamined} logged searches replayed`];
    // Without the csam grant, restricted posts and searches are in no count and no sample; the API says so once.
    if (body.restricted) lines.push(`[${body.restricted.notice}]`);
    for (const x of body.rules) {
      lines.push(`${x.change.padEnd(7)} ${x.ruleId}  ${x.action}${x.shadow ? ' (shadow)' : ''}  "${x.pattern}"  content: ${x.contentMatches ?? '-'}  searches: ${x.queryMatches ?? '-'}`);
      if (x.notice) lines.push(`          [${x.notice}]`);
      // Without the csam grant, a removed post comes back as an id and a notice.
      for (const s of x.contentSamples.slice(0, 3)) lines.push(`          doc ${s.id}: ${s.redacted ? `[${s.notice}]` : s.text}`);
      for (const q of x.querySamples.slice(0, 3)) lines.push(`          query: ${typeof q === 'string' ? q : `[${q.notice}]`}`);
    }
    for (const id of d.removed) lines.push(`removed ${id}`);
    out.result(body, lines.join('\n'));
  });

  withJson(rules.command('publish').description('publish the draft as a new version; prints the version number').option('--note <text>', 'why, for the version history')).action(async (opts: { note?: string }, cmd: Command) => {
    const body = expectStatus(await ctx.api().call('POST', '/v1/rules/publish', opts.note ? { note: opts.note } : {}), 201);
    const out = Printer.for(ctx.io, cmd);
    out.result(body, String(body.version));
    out.note(`published v${body.version}: +${body.diff.added.length} ~${body.diff.changed.length} -${body.diff.removed.length}${body.backfill ? `; backfill ${body.backfill.jobId} started (takedown rules backfill status)` : ''}`);
  });

  withJson(rules.command('rollback').description('publish an earlier version again, as a new version; prints its number').argument('<version>', 'the version to go back to', integer(1))).action(async (version: number, _opts: object, cmd: Command) => {
    const body = expectStatus(await ctx.api().call('POST', '/v1/rules/rollback', { version }), 201);
    const out = Printer.for(ctx.io, cmd);
    out.result(body, String(body.version));
    out.note(`re-published v${version} as v${body.version}`);
  });

  withJson(rules.command('versions').description('the published versions and which is live, as JSON')).action(async (_opts: object, cmd: Command) => {
    const body = expectStatus(await ctx.api().call('GET', '/v1/rules/versions'), 200);
    Printer.for(ctx.io, cmd).result(body, JSON.stringify(body, null, 2));
  });

  const backfill = rules.command('backfill').description('the backfill that re-tags stored posts after a publish');
  withJson(
    backfill
      .command('status')
      .description('follow the latest backfill with a progress bar until it ends (exit 1 if it failed); with --json, prints the backfill state once it ends')
      .option('--once', 'print the state now and return'),
  ).action(async (opts: { once?: boolean }, cmd: Command) => {
    const api = ctx.api();
    const out = Printer.for(ctx.io, cmd);
    const follow = !opts.once;
    for (;;) {
      const body = expectStatus(await api.call('GET', '/v1/rules/backfill'), 200);
      const job = body.jobs[0];
      if (!job) {
        out.result(body);
        out.note('no backfill has run yet');
        return;
      }
      const p = job.progress && typeof job.progress === 'object' ? job.progress : { done: 0, total: 0, ratePerSec: 0, etaSeconds: null, phase: 'waiting' };
      const line = `${job.jobId} ${String(job.state).padEnd(9)} ${progressBar(p.done, p.total)} ${p.done}/${p.total} ${p.ratePerSec}/s eta ${p.etaSeconds ?? '?'} s`;
      const finished = job.state === 'completed' || job.state === 'failed';
      if (follow) out.progress(line, finished);
      else out.note(line);
      if (finished || !follow) {
        out.result(body);
        if (job.state === 'failed') throw new CommandFailed('backfill_failed', `backfill ${job.jobId} failed: ${job.failedReason}`);
        return;
      }
      await ctx.sleep(500);
    }
  });
}
