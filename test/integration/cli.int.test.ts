import { spawnSync } from 'node:child_process';
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

const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, REDIS_URL: ctx.config.redis.url, ELASTICSEARCH_URL: ctx.config.elasticsearch.url, TAKEDOWN_QUEUE_PREFIX: ctx.config.queuePrefix },
    encoding: 'utf8',
  });

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
});
