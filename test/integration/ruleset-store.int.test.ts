import { createRedis, DraftStore, RulesetStore, rulesetKeys, type Redis } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';
import { DraftRulesCache } from '../../services/moderation-api/src/rules/draft-rules-cache';

// Publishing and the draft against the real Redis, with several processes'
// worth of connections (each API instance has its own).

let ctx: TestContext;
const extra: Redis[] = [];
const connection = () => {
  const r = createRedis(ctx.config.redis.url, { connectionName: `test:${ctx.prefix}:${extra.length}` });
  extra.push(r);
  return r;
};

beforeAll(async () => {
  ctx = await createTestContext('ruleset-store');
});
afterAll(async () => {
  for (const r of extra) r.disconnect();
  await ctx.cleanup();
});

describe('publishing', () => {
  it('concurrent publishes from several instances leave current on the newest version, every version stored once', async () => {
    const keys = rulesetKeys(`${ctx.config.queuePrefix}:pub`);
    const stores = Array.from({ length: 8 }, () => new RulesetStore(connection(), keys));
    for (let round = 0; round < 25; round++) {
      const published = await Promise.all(stores.map((s, i) => s.publish([{ id: `r${round}-${i}` }], `lead:${i}`)));
      const versions = published.map((p) => p.version).sort((a, b) => a - b);
      expect(new Set(versions).size).toBe(stores.length);
      expect({ round, current: await stores[0]!.currentVersion() }).toEqual({ round, current: versions[versions.length - 1] });
      for (const p of published) expect((await stores[0]!.get(p.version))?.rules).toEqual(p.rules);
    }
    expect(await ctx.redis.zcard(keys.versions)).toBe(25 * stores.length);
  });
});

describe('the draft', () => {
  const setup = async (name: string) => {
    const keys = rulesetKeys(`${ctx.config.queuePrefix}:${name}`);
    const published = new RulesetStore(ctx.redis, keys);
    await published.publish([{ id: 'a' }, { id: 'b' }], 'lead:test');
    return { keys, published };
  };

  it('a first init that died halfway (its marker written, the draft not) does not leave the draft empty', async () => {
    const { keys, published } = await setup('draft-crash');
    // What a process killed between claiming the init and writing the draft left behind.
    await ctx.redis.set(`${keys.draftMeta}:init`, '1');
    const drafts = new DraftStore(ctx.redis, keys, published);
    expect((await drafts.rules()).map((r) => r.id)).toEqual(['a', 'b']);
    expect(await drafts.meta()).toMatchObject({ baseVersion: 1, updatedBy: 'takedown' });
  });

  it('instances reading a never-edited draft at once all see the published rules, and an edit is never wiped', async () => {
    const { keys, published } = await setup('draft-race');
    const stores = Array.from({ length: 8 }, () => new DraftStore(connection(), keys, published));
    const seen = await Promise.all(stores.map(async (d, i) => (i === 3 ? (await d.put({ id: 'c' }, 'lead:3'), d.rules()) : d.rules())));
    for (const rules of seen) expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(['a', 'b']));
    expect((await stores[0]!.rules()).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('the revision moves with every rule write, from any instance, so a cached page of the draft is never stale', async () => {
    const { keys, published } = await setup('draft-rev');
    const [a, b] = [new DraftStore(connection(), keys, published), new DraftStore(connection(), keys, published)];
    const cache = new DraftRulesCache(b);
    const ids = async () => (await cache.rules()).map((r) => r.id);
    expect(await ids()).toEqual(['a', 'b']);
    const revs = [await b.revision()];
    expect(await b.revision()).toBe(revs[0]);
    await a.put({ id: 'c' }, 'lead:a');
    revs.push(await b.revision());
    expect(await ids()).toEqual(['a', 'b', 'c']);
    await a.remove('a', 'lead:a');
    revs.push(await b.revision());
    expect(await ids()).toEqual(['b', 'c']);
    await a.importRules([{ id: 'z' }], 'replace', 'lead:a');
    revs.push(await b.revision());
    expect(await ids()).toEqual(['z']);
    expect(new Set(revs).size).toBe(revs.length);
    // Reads share the parsed rules until the next write.
    expect(await cache.rules()).toBe(await cache.rules());
  });
});
