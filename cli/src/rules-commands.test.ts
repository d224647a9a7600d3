import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fakeApi, runTakedown } from '../../test/support/cli-harness';
import { importFormat, progressBar } from './rules-commands';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};

describe('progressBar', () => {
  it('fills in proportion and never overflows', () => {
    expect(progressBar(0, 10, 10)).toBe('[----------]   0.0%');
    expect(progressBar(5, 10, 10)).toBe('[#####-----]  50.0%');
    expect(progressBar(15, 10, 10)).toBe('[##########] 100.0%');
    expect(progressBar(0, 0, 4)).toBe('[####] 100.0%');
  });
});

describe('importFormat', () => {
  it('takes --format, else a .json name, else JSON by its first character, else CSV', () => {
    expect(importFormat('a.csv', '[]', 'csv')).toBe('csv');
    expect(importFormat('a.JSON', 'id,kind', undefined)).toBe('json');
    expect(importFormat('rules.txt', '\ufeff\n  [{"id":"x"}]', undefined)).toBe('json');
    expect(importFormat('rules.txt', '{"rules":[]}', undefined)).toBe('json');
    expect(importFormat('rules.txt', 'id,kind,pattern\n', undefined)).toBe('csv');
  });
});

describe('rules import and import-pdq', () => {
  it('import-pdq sends the file as a pdq-list import with the list named on the command line', async () => {
    const f = file('list.tsv', `${'ab'.repeat(32)}\t90\n`);
    const api = fakeApi({ 'POST /v1/rules/draft/import': () => ({ status: 200, body: { imported: 1, mode: 'merge' } }) });
    const r = await runTakedown(['rules', 'import-pdq', '--list', 'ncmec', f, '--source', 'NCMEC', '--category', 'csam', '--action', 'auto_remove', '--threshold', '20'], { api: () => api });
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toContain('imported 1 PDQ hashes of list ncmec into the draft (merge)');
    expect(api.calls.map((c) => c.body)).toEqual([{ format: 'pdq-list', content: `${'ab'.repeat(32)}\t90\n`, mode: 'merge', list: { name: 'ncmec', source: 'NCMEC', category: 'csam', action: 'auto_remove', threshold: 20 } }]);
  });

  it('import --replace --json: the API’s answer is the document, stderr stays empty', async () => {
    const f = file('rules.csv', 'id,kind,pattern,category,scope,action\nc1,term,kratom,drugs,query,block_query\n');
    const answer = { imported: 1, mode: 'replace', draft: { rules: 1 } };
    const api = fakeApi({ 'POST /v1/rules/draft/import': () => ({ status: 200, body: answer }) });
    const r = await runTakedown(['rules', 'import', f, '--replace', '--json'], { api: () => api });
    expect([r.code, JSON.parse(r.stdout), r.stderr]).toEqual([0, answer, '']);
    expect(api.calls[0]?.body).toMatchObject({ format: 'csv', mode: 'replace' });
  });

  const refusal = {
    status: 400,
    body: { error: { code: 'invalid_rules', message: 'import refused: 1 bad row', field: '/content', details: { problems: [{ line: 3, field: 'category', message: 'unknown category nope' }] } } },
  };

  it('a refused import exits 1 naming every bad line; with --json the error document carries the status and the problems', async () => {
    const f = file('bad.csv', 'id,kind\n');
    const api = fakeApi({ 'POST /v1/rules/draft/import': () => refusal });
    const text = await runTakedown(['rules', 'import', f], { api: () => api });
    expect([text.code, text.stdout, text.stderr]).toEqual([1, '', 'takedown: 400 invalid_rules import refused: 1 bad row (field /content)\n  line 3 [category]: unknown category nope\n']);
    const json = await runTakedown(['rules', 'import', f, '--json'], { api: () => api });
    expect([json.code, json.stdout]).toEqual([1, '']);
    expect(JSON.parse(json.stderr)).toEqual({ error: { exitCode: 1, status: 400, code: 'invalid_rules', message: 'import refused: 1 bad row', field: '/content', details: refusal.body.error.details } });
  });

  it('an API that answers 503 is exit 3 (unavailable), not a refusal', async () => {
    const api = fakeApi({ 'GET /v1/rules/versions': () => ({ status: 503, body: { error: { code: 'redis_unavailable', message: 'Redis is unavailable; retry later' } } }) });
    const r = await runTakedown(['rules', 'versions', '--json'], { api: () => api });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr).error).toMatchObject({ exitCode: 3, status: 503, code: 'redis_unavailable' });
  });

  it('an unreadable file is a usage error, and nothing is sent', async () => {
    const api = fakeApi({});
    const r = await runTakedown(['rules', 'import', path.join(dir, 'nope.csv')], { api: () => api });
    expect([r.code, api.calls]).toEqual([2, []]);
    expect(r.stderr).toContain('ENOENT');
  });
});

describe('rules publish, rollback, export', () => {
  const published = { version: 8, publishedAt: '2026-11-30T00:00:00Z', diff: { added: ['c1'], changed: [], removed: [] }, backfill: { jobId: 'bf-8' } };
  const api = () =>
    fakeApi({
      'POST /v1/rules/publish': () => ({ status: 201, body: published }),
      'POST /v1/rules/rollback': (b) => ({ status: 201, body: { version: 9, rollbackOf: (b as { version: number }).version, diff: published.diff, backfill: null } }),
      'GET /v1/rules/draft/export': () => ({ status: 200, body: { rules: [{ id: 'c1' }] } }),
      'GET /v1/rules/draft/export?format=csv': () => ({ status: 200, text: 'id,kind\nc1,term\n' }),
    });

  it('publish prints the version alone; with --json, the API’s answer', async () => {
    const text = await runTakedown(['rules', 'publish', '--note', 'kratom ban'], { api });
    expect([text.code, text.stdout]).toEqual([0, '8\n']);
    expect(text.stderr).toContain('backfill bf-8 started');
    const json = await runTakedown(['rules', 'publish', '--json'], { api });
    expect([json.code, JSON.parse(json.stdout), json.stderr]).toEqual([0, published, '']);
  });

  it('rollback sends the version as a number', async () => {
    const a = api();
    const r = await runTakedown(['rules', 'rollback', '7', '--json'], { api: () => a });
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 9, rollbackOf: 7 });
    expect(a.calls[0]?.body).toEqual({ version: 7 });
  });

  it('export: a JSON array of rules (the same with --json), or the CSV as the API sent it', async () => {
    expect(JSON.parse((await runTakedown(['rules', 'export'], { api })).stdout)).toEqual([{ id: 'c1' }]);
    expect(JSON.parse((await runTakedown(['rules', 'export', '--json'], { api })).stdout)).toEqual([{ id: 'c1' }]);
    expect((await runTakedown(['rules', 'export', '--csv'], { api })).stdout).toBe('id,kind\nc1,term\n');
  });
});

describe('rules backfill status', () => {
  const state = (jobState: string, done: number) => ({
    currentVersion: 8,
    backfilledThrough: 7,
    pendingForSearch: [],
    jobs: [{ jobId: 'bf-8', state: jobState, progress: { done, total: 10, ratePerSec: 5, etaSeconds: 1 }, failedReason: jobState === 'failed' ? 'es down' : null }],
  });

  it('follows the backfill until it ends, one line per poll off a terminal; --json prints the final state only', async () => {
    const answers = [state('active', 2), state('active', 6), state('completed', 10)];
    const api = () => fakeApi({ 'GET /v1/rules/backfill': () => ({ status: 200, body: answers.shift() }) });
    const sleeps: number[] = [];
    const r = await runTakedown(['rules', 'backfill', 'status'], { api, sleep: async (ms) => void sleeps.push(ms) });
    expect([r.code, r.stdout, sleeps]).toEqual([0, '', [500, 500]]);
    expect(r.stderr.split('\n').filter(Boolean).map((l) => l.split(' ')[1])).toEqual(['active', 'active', 'completed']);

    answers.push(state('active', 2), state('completed', 10));
    const json = await runTakedown(['rules', 'backfill', 'status', '--json'], { api });
    expect([json.code, JSON.parse(json.stdout).jobs[0].state, json.stderr]).toEqual([0, 'completed', '']);
  });

  it('a failed backfill exits 1', async () => {
    const api = () => fakeApi({ 'GET /v1/rules/backfill': () => ({ status: 200, body: state('failed', 3) }) });
    const r = await runTakedown(['rules', 'backfill', 'status', '--once'], { api });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('takedown: backfill bf-8 failed: es down');
  });
});
