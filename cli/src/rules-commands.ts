import fs from 'node:fs';
import path from 'node:path';

/**
 * `takedown rules …`: a thin client of the moderation API's rules endpoints
 * (the API validates, audits and publishes; the CLI never writes Redis).
 */
export interface ApiClient {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
}

export function apiClient(baseUrl: string, token: string): ApiClient {
  return {
    async call(method, p, body) {
      const res = await fetch(`${baseUrl.replace(/\/$/, '')}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text };
    },
  };
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

function failed(r: { status: number; body: any; text: string }): number {
  const e = r.body?.error;
  err(`takedown: ${r.status} ${e?.code ?? ''} ${e?.message ?? r.text.slice(0, 300)}${e?.field ? ` (field ${e.field})` : ''}`);
  for (const p of (e?.details?.problems ?? []).slice(0, 50)) {
    err(`  ${p.line !== undefined ? `line ${p.line}` : `rule ${p.index}`}${p.field ? ` [${p.field}]` : ''}: ${p.message}`);
  }
  return 1;
}

export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(1).padStart(5)}%`;
}

export async function rulesCommand(api: ApiClient, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'import': {
      const file = rest.find((a) => !a.startsWith('--'));
      if (!file) return usage();
      const format = rest.includes('--json') || path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv';
      const mode = rest.includes('--replace') ? 'replace' : 'merge';
      const r = await api.call('POST', '/v1/rules/draft/import', { format, content: fs.readFileSync(file, 'utf8'), mode });
      if (r.status !== 200) return failed(r);
      err(`imported ${r.body.imported} rules into the draft (${mode}); preview with \`takedown rules preview\`, then publish`);
      return 0;
    }
    case 'import-pdq': {
      // A PDQ hash list (CSV/TSV, hash[,quality][,…]) into the draft as pdq rules of one named list.
      const valueFlags = ['--list', '--source', '--category', '--action', '--threshold'];
      const file = rest.find((a, i) => !a.startsWith('--') && !valueFlags.includes(rest[i - 1] ?? ''));
      const name = optionValue(rest, '--list');
      const source = optionValue(rest, '--source');
      const category = optionValue(rest, '--category');
      const action = optionValue(rest, '--action');
      const threshold = optionValue(rest, '--threshold');
      if (!file || !name || !source || !category || !action) return usage();
      const mode = rest.includes('--replace') ? 'replace' : 'merge';
      const list = { name, source, category, action, ...(threshold !== undefined ? { threshold: Number(threshold) } : {}) };
      const r = await api.call('POST', '/v1/rules/draft/import', { format: 'pdq-list', content: fs.readFileSync(file, 'utf8'), mode, list });
      if (r.status !== 200) return failed(r);
      err(`imported ${r.body.imported} PDQ hashes of list ${name} into the draft (${mode}); preview with \`takedown rules preview\`, then publish`);
      return 0;
    }
    case 'export': {
      const csv = rest.includes('--csv');
      const r = await api.call('GET', `/v1/rules/draft/export${csv ? '?format=csv' : ''}`);
      if (r.status !== 200) return failed(r);
      out(csv ? r.text : JSON.stringify(r.body.rules, null, 2));
      return 0;
    }
    case 'preview': {
      const r = await api.call('GET', '/v1/rules/preview');
      if (r.status !== 200) return failed(r);
      if (rest.includes('--json')) {
        out(JSON.stringify(r.body, null, 2));
        return 0;
      }
      const d = r.body.diff;
      out(`draft vs published v${r.body.publishedVersion ?? '-'}: +${d.added.length} added, ~${d.changed.length} changed, -${d.removed.length} removed; ${r.body.queriesExamined} logged searches replayed`);
      // Without the csam grant, restricted posts and searches are in no count and no sample; the API says so once.
      if (r.body.restricted) out(`[${r.body.restricted.notice}]`);
      for (const x of r.body.rules) {
        out(`${x.change.padEnd(7)} ${x.ruleId}  ${x.action}${x.shadow ? ' (shadow)' : ''}  "${x.pattern}"  content: ${x.contentMatches ?? '-'}  searches: ${x.queryMatches ?? '-'}`);
        if (x.notice) out(`          [${x.notice}]`);
        // Without the csam grant, a removed post comes back as an id and a notice.
        for (const s of x.contentSamples.slice(0, 3)) out(`          doc ${s.id}: ${s.redacted ? `[${s.notice}]` : s.text}`);
        for (const q of x.querySamples.slice(0, 3)) out(`          query: ${typeof q === 'string' ? q : `[${q.notice}]`}`);
      }
      for (const id of d.removed) out(`removed ${id}`);
      return 0;
    }
    case 'publish': {
      const noteAt = rest.indexOf('--note');
      const note = noteAt >= 0 ? rest[noteAt + 1] : undefined;
      const r = await api.call('POST', '/v1/rules/publish', note ? { note } : {});
      if (r.status !== 201) return failed(r);
      out(String(r.body.version));
      err(`published v${r.body.version}: +${r.body.diff.added.length} ~${r.body.diff.changed.length} -${r.body.diff.removed.length}${r.body.backfill ? `; backfill ${r.body.backfill.jobId} started (takedown rules backfill status)` : ''}`);
      return 0;
    }
    case 'rollback': {
      const version = Number(rest[0]);
      if (!Number.isInteger(version) || version < 1) return usage();
      const r = await api.call('POST', '/v1/rules/rollback', { version });
      if (r.status !== 201) return failed(r);
      out(String(r.body.version));
      err(`re-published v${version} as v${r.body.version}`);
      return 0;
    }
    case 'versions': {
      const r = await api.call('GET', '/v1/rules/versions');
      if (r.status !== 200) return failed(r);
      out(JSON.stringify(r.body, null, 2));
      return 0;
    }
    case 'backfill': {
      if (rest[0] !== 'status') return usage();
      const follow = !rest.includes('--once');
      for (;;) {
        const r = await api.call('GET', '/v1/rules/backfill');
        if (r.status !== 200) return failed(r);
        const job = r.body.jobs[0];
        if (!job) {
          err('no backfill has run yet');
          return 0;
        }
        const p = job.progress && typeof job.progress === 'object' ? job.progress : { done: 0, total: 0, ratePerSec: 0, etaSeconds: null, phase: 'waiting' };
        const line = `${job.jobId} ${job.state.padEnd(9)} ${progressBar(p.done, p.total)} ${p.done}/${p.total} ${p.ratePerSec}/s eta ${p.etaSeconds ?? '?'} s`;
        const finished = job.state === 'completed' || job.state === 'failed';
        if (process.stderr.isTTY && follow) process.stderr.write(`\r${line}${finished ? '\n' : ''}`);
        else err(line);
        if (job.state === 'failed') err(`failed: ${job.failedReason}`);
        if (finished || !follow) return job.state === 'failed' ? 1 : 0;
        await new Promise((res) => setTimeout(res, 500));
      }
    }
    default:
      return usage();
  }
}

export const RULES_USAGE = `  takedown rules import FILE [--replace] [--json]   (CSV unless FILE ends in .json; merge by default)
  takedown rules import-pdq FILE --list NAME --source TEXT --category CATEGORY --action ACTION [--threshold N] [--replace]
      (a PDQ hash list, CSV or TSV: hash[,quality][,…] or with a header; threshold 0–48, default 31)
  takedown rules export [--csv]
  takedown rules preview [--json]
  takedown rules publish [--note TEXT]
  takedown rules rollback VERSION
  takedown rules versions
  takedown rules backfill status [--once]
  (rules commands use TAKEDOWN_API_URL, default http://127.0.0.1:8080, and TAKEDOWN_TOKEN, a lead token)
`;

/** The value after `--flag`, when there is one. */
function optionValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  const v = i === -1 ? undefined : args[i + 1];
  return v !== undefined && !v.startsWith('--') ? v : undefined;
}

function usage(): number {
  err(`usage:\n${RULES_USAGE}`);
  return 2;
}
