// The pool runs the built worker (dist): `tsc -b` first, as `npm test` does.
import { UnavailableError } from '@takedown/shared';
import { RuleImportError, parseRuleImport } from '../rules-io/import-rules';
import { previewQueries } from '../rules-io/preview-queries';
import { rule, syntheticWord } from '../testing/rules-fixture';
import { RulePool } from './rule-pool';
import { TaskHold } from './task-hold';

const defaults = { createdBy: 'lead:test', createdAt: '2026-11-01T00:00:00.000Z' };
const csv = ['id,kind,pattern,category,scope,action', ...Array.from({ length: 50 }, (_, i) => `r${i},term,${syntheticWord(i)},drugs,query,block_query`)].join('\n');

describe('RulePool', () => {
  let pool: RulePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('returns what the same function returns on the main thread, errors included', async () => {
    pool = new RulePool({ size: 1, taskTimeoutMs: 30_000, maxQueued: 4 });
    expect(await pool.run('parse-import', { content: csv, format: 'csv', defaults })).toEqual(parseRuleImport(csv, 'csv', defaults));
    const input = { live: [], draft: [rule('a', syntheticWord(1)), rule('b', syntheticWord(2))], maxRules: 500, samples: 5, queries: [`buy ${syntheticWord(1)}`, 'nothing here'], csamEverywhere: [] };
    expect(await pool.run('preview-queries', input)).toEqual(previewQueries(input));
    const bad = 'id,kind,pattern,category,scope,action\nk1,term,kratom,drugz,query,block_query\n';
    const err = await pool.run('parse-import', { content: bad, format: 'csv', defaults }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleImportError);
    expect(err).toMatchObject({ status: 400, code: 'import_refused', details: (() => { try { parseRuleImport(bad, 'csv', defaults); } catch (e) { return (e as RuleImportError).details; } return undefined; })() });
  });

  it('validates and previews regex rules in a worker thread (re2-wasm loads there too)', async () => {
    pool = new RulePool({ size: 1, taskTimeoutMs: 30_000, maxQueued: 4 });
    const rx = rule('rx', String.raw`\d{3} \d{3} \d{4}`, { kind: 'regex' });
    const next = [rule('a', syntheticWord(1)), rx];
    const publish = { live: [], next, publishedAt: defaults.createdAt, publishedBy: 'lead:test' };
    expect(await pool.run('check-publish', publish)).toEqual({ added: ['a', 'rx'], removed: [], changed: [] });
    const input = { live: [], draft: next, maxRules: 500, samples: 5, queries: ['call 555 123 4567', 'nothing here'], csamEverywhere: [] };
    const preview = await pool.run('preview-queries', input);
    expect(preview).toEqual(previewQueries(input));
    expect(preview.queryHits.get('rx')).toEqual({ n: 1, samples: ['call 555 123 4567'] });
    const bad = await pool.run('check-publish', { ...publish, next: [{ ...rx, pattern: '(a)\\1' }] }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'regex_invalid', field: '/rules/0/pattern' });
  });

  it('refuses work beyond its queue bound with 503, and runs what it accepted once the worker is free', async () => {
    const hold = new TaskHold();
    pool = new RulePool({ size: 1, taskTimeoutMs: 30_000, maxQueued: 1, hold: hold.buffer });
    const running = pool.run('parse-import', { content: csv, format: 'csv', defaults });
    await hold.reached(1);
    const queued = pool.run('parse-import', { content: csv, format: 'csv', defaults });
    const refused = await pool.run('parse-import', { content: csv, format: 'csv', defaults }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused).toMatchObject({ status: 503, code: 'rule_workers_busy' });
    hold.release();
    expect(await running).toHaveLength(50);
    expect(await queued).toHaveLength(50);
  });

  it('kills a task past its timeout (503) and replaces the worker', async () => {
    const hold = new TaskHold();
    pool = new RulePool({ size: 1, taskTimeoutMs: 200, maxQueued: 4, hold: hold.buffer });
    // Held forever inside the worker: only the timeout ends it.
    const err = await pool.run('parse-import', { content: csv, format: 'csv', defaults }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'rule_task_timeout' });
    hold.release();
    expect(await pool.run('parse-import', { content: csv, format: 'csv', defaults })).toHaveLength(50);
    // The killed worker reached the hold, and so did its replacement.
    await hold.reached(2);
  });

  it('fails running and waiting tasks with 503 on close', async () => {
    const hold = new TaskHold();
    pool = new RulePool({ size: 1, taskTimeoutMs: 30_000, maxQueued: 4, hold: hold.buffer });
    const running = pool.run('parse-import', { content: csv, format: 'csv', defaults }).catch((e: unknown) => e);
    const waiting = pool.run('parse-import', { content: csv, format: 'csv', defaults }).catch((e: unknown) => e);
    await hold.reached(1);
    await pool.close();
    expect(await running).toMatchObject({ status: 503, code: 'rule_workers_closed' });
    expect(await waiting).toMatchObject({ status: 503, code: 'rule_workers_closed' });
    await expect(pool.run('parse-import', { content: csv, format: 'csv', defaults })).rejects.toMatchObject({ code: 'rule_workers_closed' });
  });
});
