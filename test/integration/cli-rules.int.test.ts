import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPipeline, type Pipeline } from '../support/pipeline';

const CLI = path.resolve(__dirname, '..', '..', 'cli', 'bin', 'takedown.js');
let p: Pipeline;
let dir: string;

beforeAll(async () => {
  p = await startPipeline('cli-rules');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'takedown-cli-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await p.stop();
});

// Asynchronous: the API serves from this process, so the CLI must not block it.
const runWith = (env: Record<string, string | undefined>, ...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TAKEDOWN_API_URL: p.url, TAKEDOWN_TOKEN: p.tokens.lead, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
const run = (...args: string[]) => runWith({}, ...args);

describe('npx takedown rules', () => {
  it('imports (refusing a bad file with its line), previews, publishes, rolls back', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'id,kind,pattern,category,scope,action\nc1,term,kratom,drugs,query,block_query\nc2,term,x,nope,query,block_query\n');
    const refused = await run('rules', 'import', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('line 3 [category]');

    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(good, 'id,kind,pattern,category,scope,action\nc1,term,kratom,drugs,query,block_query\n');
    expect((await run('rules', 'import', good)).status).toBe(0);
    const preview = await run('rules', 'preview');
    expect(preview.status).toBe(0);
    expect(preview.stdout).toContain('added   c1  block_query  "kratom"');

    const pub = await run('rules', 'publish', '--note', 'cli test');
    expect(pub.status).toBe(0);
    const version = Number(pub.stdout.trim());
    expect(version).toBeGreaterThan(1);
    const exported = await run('rules', 'export', '--csv');
    expect(exported.stdout).toContain('c1,term,kratom,drugs,query,block_query');

    const rb = await run('rules', 'rollback', String(version - 1));
    expect(rb.status).toBe(0);
    expect(Number(rb.stdout.trim())).toBe(version + 1);
    const status = await run('rules', 'backfill', 'status', '--once');
    expect(status.status).toBe(0);
  });

  it('--json: the API’s answers as documents; a refused import as a JSON error with every bad line; exit 2 without a token, 3 without an API', async () => {
    const bad = path.join(dir, 'bad2.csv');
    fs.writeFileSync(bad, 'id,kind,pattern,category,scope,action\nj1,term,x,nope,query,block_query\n');
    const refused = await run('rules', 'import', bad, '--json');
    expect([refused.status, refused.stdout]).toEqual([1, '']);
    expect(JSON.parse(refused.stderr).error).toMatchObject({ exitCode: 1, status: 400, details: { problems: [expect.objectContaining({ line: 2, field: 'category' })] } });

    const good = path.join(dir, 'good2.csv');
    fs.writeFileSync(good, 'id,kind,pattern,category,scope,action\nj1,term,kava,drugs,query,block_query\n');
    const imported = await run('rules', 'import', good, '--json');
    expect([imported.status, JSON.parse(imported.stdout), imported.stderr]).toEqual([0, expect.objectContaining({ imported: 1, mode: 'merge' }), '']);
    const preview = await run('rules', 'preview', '--json');
    expect(JSON.parse(preview.stdout).rules).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'j1', change: 'added' })]));
    const pub = await run('rules', 'publish', '--note', 'json', '--json');
    expect(pub.status).toBe(0);
    const published = JSON.parse(pub.stdout);
    expect(published).toMatchObject({ version: expect.any(Number), diff: { added: ['j1'] } });
    const versions = JSON.parse((await run('rules', 'versions', '--json')).stdout);
    expect(versions.current).toBe(published.version);

    const noToken = await runWith({ TAKEDOWN_TOKEN: '' }, 'rules', 'versions', '--json');
    expect([noToken.status, JSON.parse(noToken.stderr).error.code]).toEqual([2, 'usage']);
    const wrongToken = await runWith({ TAKEDOWN_TOKEN: 'tdk_lead_nonsense' }, 'rules', 'versions');
    expect([wrongToken.status, wrongToken.stderr]).toEqual([1, expect.stringMatching(/^takedown: 401 /)]);
    const noApi = await runWith({ TAKEDOWN_API_URL: 'http://127.0.0.1:9' }, 'rules', 'versions', '--json');
    expect([noApi.status, JSON.parse(noApi.stderr).error]).toEqual([3, expect.objectContaining({ exitCode: 3, code: 'unreachable' })]);
  });
});
