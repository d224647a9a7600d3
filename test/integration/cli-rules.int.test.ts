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
const run = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TAKEDOWN_API_URL: p.url, TAKEDOWN_TOKEN: p.tokens.lead } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

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
});
