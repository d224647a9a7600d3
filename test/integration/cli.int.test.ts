import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { TokenStore, moderationKeys } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// Runs the built CLI (npm test builds first), as `npx takedown` would.
const CLI = path.resolve(__dirname, '..', '..', 'cli', 'bin', 'takedown.js');
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('cli');
});
afterAll(async () => {
  await ctx.cleanup();
});

const runWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, REDIS_URL: ctx.config.redis.url, ELASTICSEARCH_URL: ctx.config.elasticsearch.url, TAKEDOWN_QUEUE_PREFIX: ctx.config.queuePrefix, ...env },
    encoding: 'utf8',
  });
const run = (...args: string[]) => runWith({}, ...args);

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npx takedown token', () => {
  it('create prints the new token alone on stdout; it authenticates until revoked', async () => {
    const created = run('token', 'create', '--role', 'moderator', '--name', 'alice', '--csam');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^tdk_moderator_[A-Za-z0-9_-]{32}\n$/);
    const token = created.stdout.trim();
    const tokens = new TokenStore(ctx.redis, moderationKeys(ctx.config.queuePrefix));
    expect(await tokens.authenticate(token)).toMatchObject({ name: 'alice', role: 'moderator', grants: { csam: true } });
    // The store keeps only a hash.
    expect(JSON.stringify(await ctx.redis.hgetall(moderationKeys(ctx.config.queuePrefix).tokens))).not.toContain(token);

    const revoked = run('token', 'revoke', 'alice');
    expect(revoked.status).toBe(0);
    expect(await tokens.authenticate(token)).toBeUndefined();
  });

  it('refuses bad arguments with a usage message and exit code 2', () => {
    const bad = run('token', 'create', '--role', 'root', '--name', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('usage');
    expect(run('token', 'revoke', 'nobody').status).toBe(1);
  });

  it('person create, token create --person, person update and disable: one person, several tokens, grants on the person', async () => {
    const tokens = new TokenStore(ctx.redis, moderationKeys(ctx.config.queuePrefix));
    const created = run('person', 'create', '--id', 'frank', '--name', 'Frank Example', '--role', 'moderator', '--role', 'lead', '--email', 'frank@example.org');
    expect([created.status, created.stdout]).toEqual([0, 'frank\n']);
    const a = run('token', 'create', '--person', 'frank', '--role', 'moderator', '--name', 'frank-laptop');
    const b = run('token', 'create', '--person', 'frank', '--role', 'lead', '--name', 'frank-lead');
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(await tokens.authenticate(a.stdout.trim())).toMatchObject({ actorId: 'frank', role: 'moderator', grants: {} });
    expect(await tokens.authenticate(b.stdout.trim())).toMatchObject({ actorId: 'frank', role: 'lead' });
    // Grants belong to the person, not to one of their tokens.
    expect(run('token', 'create', '--person', 'frank', '--role', 'moderator', '--name', 'frank-2', '--csam').status).toBe(2);
    const updated = run('person', 'update', 'frank', '--csam', 'on', '--role', 'moderator');
    expect([updated.status, updated.stderr]).toEqual([0, expect.stringContaining('revoked 1 token(s) in roles frank no longer holds')]);
    expect(await tokens.authenticate(a.stdout.trim())).toMatchObject({ grants: { csam: true } });
    expect(await tokens.authenticate(b.stdout.trim())).toBeUndefined();
    // Values the command line cannot carry are usage errors (exit 2): an unknown role, and a grant the API's schema refuses for these roles.
    const bad = run('person', 'create', '--name', 'x', '--role', 'root');
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining("argument 'root' is invalid")]);
    const refused = run('person', 'create', '--name', 'x', '--role', 'moderator', '--standing', 'automated');
    expect([refused.status, refused.stderr]).toEqual([2, expect.stringContaining('/roles')]);
    // What the store refuses is a failure (exit 1): the id is taken.
    const taken = run('person', 'create', '--id', 'frank', '--name', 'Frank Again', '--role', 'moderator');
    expect([taken.status, taken.stderr]).toEqual([1, expect.stringContaining('a person with id frank exists')]);
    const disabled = run('person', 'disable', 'frank');
    expect([disabled.status, disabled.stderr]).toEqual([0, expect.stringContaining('revoked 1 token(s)')]);
    expect(await tokens.authenticate(a.stdout.trim())).toBeUndefined();
    const shown = JSON.parse(run('person', 'show', 'frank').stdout);
    expect(shown).toMatchObject({ id: 'frank', email: 'frank@example.org', disabledBy: expect.stringMatching(/^cli:/) });
  });
});

describe('npx takedown --json', () => {
  it('token create --json: one document on stdout (the token, its record, its person), nothing on stderr; the token works', async () => {
    const created = run('token', 'create', '--role', 'reporter', '--name', 'hash-scanner', '--standing', 'automated', '--json');
    expect([created.status, created.stderr]).toEqual([0, '']);
    const doc = JSON.parse(created.stdout);
    expect(doc).toMatchObject({ token: expect.stringMatching(/^tdk_reporter_/), record: { name: 'hash-scanner', role: 'reporter' }, person: { grants: { standing: 'automated' } } });
    const tokens = new TokenStore(ctx.redis, moderationKeys(ctx.config.queuePrefix));
    expect(await tokens.authenticate(doc.token)).toMatchObject({ name: 'hash-scanner', grants: { standing: 'automated' } });

    const listed = run('token', 'list', '--json');
    expect(listed.status).toBe(0);
    const list = JSON.parse(listed.stdout) as { id: string }[];
    expect(list.map((t) => t.id)).toContain(doc.record.id);
    expect(listed.stdout).not.toContain(doc.token);

    const revoked = run('token', 'revoke', 'hash-scanner', '--json');
    expect([revoked.status, JSON.parse(revoked.stdout).record.id, revoked.stderr]).toEqual([0, doc.record.id, '']);
    expect(await tokens.authenticate(doc.token)).toBeUndefined();
    const again = run('token', 'revoke', 'hash-scanner', '--json');
    expect([again.status, again.stdout, JSON.parse(again.stderr)]).toEqual([1, '', { error: { exitCode: 1, code: 'not_found', field: 'token', message: expect.stringContaining('hash-scanner') } }]);
  });

  it('person create, update and disable --json: the person as stored; none clears a field', () => {
    const created = run('person', 'create', '--id', 'gina', '--name', 'Gina Example', '--role', 'moderator', '--email', 'gina@example.org', '--json');
    expect([created.status, created.stderr]).toEqual([0, '']);
    expect(JSON.parse(created.stdout)).toEqual({ person: expect.objectContaining({ id: 'gina', displayName: 'Gina Example', email: 'gina@example.org', roles: ['moderator'] }) });
    const updated = run('person', 'update', 'gina', '--email', 'none', '--csam', 'on', '--json');
    expect(updated.status).toBe(0);
    const doc = JSON.parse(updated.stdout);
    expect(doc).toEqual({ person: expect.objectContaining({ id: 'gina', grants: { csam: true } }), tokensRevoked: 0 });
    expect(doc.person.email).toBeUndefined();
    const disabled = run('person', 'disable', 'gina', '--json');
    expect(JSON.parse(disabled.stdout)).toEqual({ person: expect.objectContaining({ id: 'gina', disabledAt: expect.any(String) }), tokensRevoked: 0 });
  });

  it('Redis not answering is exit 3, said once (no client noise), in JSON with --json', async () => {
    const port = await closedPort();
    const text = runWith({ REDIS_URL: `redis://127.0.0.1:${port}` }, 'token', 'list');
    expect([text.status, text.stdout, text.stderr]).toEqual([3, '', 'takedown: Redis did not answer (ECONNREFUSED)\n']);
    const json = runWith({ REDIS_URL: `redis://127.0.0.1:${port}` }, 'token', 'create', '--role', 'admin', '--name', 'ops', '--json');
    expect([json.status, json.stdout, JSON.parse(json.stderr)]).toEqual([3, '', { error: { exitCode: 3, code: 'redis_unavailable', message: 'Redis did not answer (ECONNREFUSED)' } }]);
  });
});
