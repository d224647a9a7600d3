import fs from 'node:fs';
import path from 'node:path';
import { LANES, createRedis, moderationKeys, runScripts, type CaseShardKeys, type Redis, type ScriptCall } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// SCRIPT FLUSH is global: other processes on this Redis reload their scripts
// on NOSCRIPT, which is the very behaviour under test. The flush runs on a
// dedicated connection, only inside this test.

let ctx: TestContext;
let admin: Redis;

beforeAll(async () => {
  ctx = await createTestContext('lua-noscript');
  admin = createRedis(ctx.config.redis.url, { connectionName: `test:${ctx.prefix}:script-admin` });
});
afterAll(async () => {
  admin.disconnect();
  await ctx.cleanup();
});

const lua = (file: string) => fs.readFileSync(path.join(__dirname, '..', '..', 'shared', 'lua', file), 'utf8');

const LANE_NAMES = LANES.join(',');
const laneKeys = (keys: CaseShardKeys) => [...LANES.map((l) => keys.lane(l)), ...LANES.map((l) => keys.laneAge(l))];
// A reap of a case with no lease (answers 0), then a claim of the given candidates, in one pipeline.
function reapThenClaim(keys: CaseShardKeys, now: number, token: string, candidates: string[]): ScriptCall[] {
  return [
    { name: 'reap-lease', keys: [keys.case('none'), keys.leases, keys.dirty, keys.audit, ...laneKeys(keys)], args: [LANE_NAMES, 'none', now, new Date(now).toISOString()] },
    {
      name: 'claim',
      keys: [keys.lane('default'), keys.laneAge('default'), keys.leases, keys.dirty, keys.audit, ...candidates.map((id) => keys.case(id))],
      args: ['default', 'mod-1', token, now, 60_000, new Date(now).toISOString(), '[]', ...candidates],
    },
  ];
}

describe('a script pipeline after the script cache was emptied', () => {
  it('runs claim once when only some of its scripts were missing (one lease, one audit event)', async () => {
    // The scripts are called directly: every key of one shard, as the case store would pass them.
    const keys = moderationKeys(ctx.config.queuePrefix).shards[0]!;
    const now = Date.now();
    // Two open cases on the lane: a second run of claim would lease the other one.
    for (const [i, id] of ['c-1', 'c-2'].entries()) {
      await ctx.redis.hset(keys.case(id), 'status', 'open', 'rev', '1');
      await ctx.redis.zadd(keys.lane('default'), i, id);
    }
    // The cache is emptied, then another process reloads claim.lua (its own
    // NOSCRIPT fallback) before this pipeline runs: reap-lease is missing, claim is not.
    await admin.script('FLUSH');
    await admin.script('LOAD', lua('claim-n.lua'));

    const [reaped, claimed] = await runScripts(ctx.redis, reapThenClaim(keys, now, 'lease-token-1', ['c-1', 'c-2']));

    expect(Number(reaped)).toBe(0);
    expect((claimed as [number, string])[1]).toBe('c-1');
    expect(await ctx.redis.zrange(keys.leases, 0, -1)).toEqual(['c-1']);
    expect(await ctx.redis.hget(keys.case('c-2'), 'status')).toBe('open');
    const events = (await ctx.redis.xrange(keys.audit, '-', '+')).map(([, f]) => JSON.parse(f[1] as string) as { type: string });
    expect(events.filter((e) => e.type === 'case.claimed')).toHaveLength(1);
  });

  it('runs every call of a pipeline after a full flush, each once, in order', async () => {
    const keys = moderationKeys(`${ctx.config.queuePrefix}b`).shards[0]!;
    const now = Date.now();
    await ctx.redis.hset(keys.case('d-1'), 'status', 'open', 'rev', '1');
    await ctx.redis.zadd(keys.lane('default'), 0, 'd-1');
    await admin.script('FLUSH');
    const [, claimed] = await runScripts(ctx.redis, reapThenClaim(keys, now, 'lease-token-2', ['d-1']));
    expect((claimed as [number, string])[1]).toBe('d-1');
    expect(await ctx.redis.zrange(keys.leases, 0, -1)).toEqual(['d-1']);
    await ctx.redis.del(keys.case('d-1'), keys.leases, keys.audit, keys.lane('default'), keys.laneAge('default'), keys.dirty);
  });
});
