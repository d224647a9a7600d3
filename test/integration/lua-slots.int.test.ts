import { createHash } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import {
  AdminSessionStore,
  CaseStore,
  DraftStore,
  PeopleStore,
  RulesetStore,
  SCRIPT_NAMES,
  TokenStore,
  appendAudit,
  hashToken,
  scriptFiles,
  caseIdFor,
  laneScore,
  moderationKeys,
  recordedDecisions,
  rulesetKeys,
  runScript,
  type ReportJob,
} from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// Every script call, as the TypeScript wrappers make it against a real
// Redis, must name keys of one slot: a Redis Cluster refuses (CROSSSLOT) a
// script whose keys span slots, and routes a call by its keys alone.

let ctx: TestContext;
const calls: { name: string; keys: string[] }[] = [];

beforeAll(async () => {
  ctx = await createTestContext('lua-slots');
  // Records the keys of every script call on its way to the server (the server still runs it).
  const send = ctx.redis.sendCommand.bind(ctx.redis);
  // Calls name scripts by SHA-1 (EVALSHA) or by source (EVAL, the first time on a connection).
  const byScript = new Map<string, string>();
  for (const f of scriptFiles()) {
    byScript.set(createHash('sha1').update(f.source).digest('hex'), f.name);
    byScript.set(f.source, f.name);
  }
  ctx.redis.sendCommand = ((command: { name: string; args: unknown[] }, ...rest: unknown[]) => {
    if (command.name === 'evalsha' || command.name === 'eval') {
      const [script, numKeys, ...args] = command.args as [string, number | string, ...string[]];
      calls.push({ name: byScript.get(script) ?? script, keys: args.slice(0, Number(numKeys)).map(String) });
    }
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof ctx.redis.sendCommand;
});
afterAll(async () => {
  await ctx.cleanup();
});

function report(contentId: string, n: number): ReportJob {
  return { reportId: `r-${contentId}-${n}`, receivedAt: new Date().toISOString(), content: { id: contentId, type: 'post', text: 'selling cocaine', authorId: 'a1' }, reporter: { type: 'user' }, reason: 'drugs' };
}

it('every script call names keys of one slot, and every script is exercised', async () => {
  const keys = moderationKeys(ctx.config.queuePrefix);
  const cases = new CaseStore(ctx.redis, keys, 60_000);
  const now = new Date();
  const contentIds = Array.from({ length: 12 }, (_, i) => `slot-post-${i}`);
  for (const contentId of contentIds) {
    const id = caseIdFor(contentId);
    const r = report(contentId, 0);
    await cases.fold({
      caseId: id,
      report: r,
      expectedRev: 0,
      fields: { id, contentId, lane: 'default', priority: 100, category: 'drugs', content: r.content, reportCount: 1, reporterTypes: ['user'], ruleHits: [], firstReportedAt: now.toISOString(), lastReportedAt: now.toISOString() },
      mode: 'enqueue',
      score: laneScore(100, now),
      now,
      audit: { type: 'report.received', actor: 'test', at: now.toISOString() },
    });
  }
  // claim, heartbeat, release; claim, decide; appeal; move; record the action; a lease left to expire and reaped.
  const first = await cases.claim('default', 'mod-1', now);
  expect(first).toBeDefined();
  await cases.heartbeat(first!.lease.caseId, first!.lease.token, now);
  await cases.release(first!.lease.caseId, first!.lease.token, 'mod-1', now);
  const second = (await cases.claim('default', 'mod-1', now))!;
  const decision = { id: `d_slots_${Date.now()}`, caseId: second.case.id, contentId: second.case.contentId, action: 'remove' as const, category: 'drugs' as const, legalGround: 'tos', decidedBy: 'mod-1', decidedAt: now.toISOString() };
  await cases.decide(second.case.id, second.lease.token, decision as never, { lastDecisionId: decision.id, lastAction: 'remove', decidedBy: 'mod-1', decidedAt: now.toISOString() }, 0, { type: 'decision.recorded', actor: 'mod-1', at: now.toISOString() }, { escalationLane: 'escalated', lane: 'default', category: 'drugs', csam: false }, now);
  await cases.recordAction(second.case.id, decision.id, now, 5, { type: 'action.applied', actor: 'system', at: now.toISOString() });
  await cases.appeal(second.case.id, decision.id, 'appeals', laneScore(100, now), { by: 'author' }, { type: 'appeal.filed', actor: 'author', at: now.toISOString() }, now);
  const third = (await cases.claim('default', 'mod-2', now))!;
  const moved = (await cases.get(third.case.id))!;
  expect(await cases.move(moved, { lane: 'escalated', set: {}, unset: [], lease: 'end', audit: { type: 'case.moved', actor: 'lead', at: now.toISOString() } }, now)).toBe('moved');
  await cases.claim('default', 'mod-3', new Date(now.getTime() - 120_000));
  expect(await cases.reap(now)).toBeGreaterThanOrEqual(1);
  await recordedDecisions(ctx.redis, keys, contentIds, now.toISOString());

  // Auth: people, tokens, job-board sessions, a standalone audit event.
  const people = new PeopleStore(ctx.redis, keys);
  const tokens = new TokenStore(ctx.redis, keys, people);
  const created = await tokens.create({ role: 'admin', name: 'slots-admin', createdBy: 'test' });
  const sessions = new AdminSessionStore(ctx.redis, keys, tokens);
  const tokenHash = hashToken(created.token);
  const principal = (await tokens.authenticateHash(tokenHash))!;
  const session = await sessions.open(principal, tokenHash);
  await sessions.close(hashToken(session), 'test');
  await tokens.revoke(created.record.id, 'test');
  await appendAudit(ctx.redis, keys, { type: 'test.event', actor: 'test', at: now.toISOString() });
  await runScript(ctx.redis, 'renew-lock', [keys.auditWriterLock], ['slots-test', 1000]);
  await runScript(ctx.redis, 'release-lock', [keys.auditWriterLock], ['slots-test']);

  // Rulesets: a draft, a publish, a backfill's end.
  const rk = rulesetKeys(ctx.config.queuePrefix);
  const rulesets = new RulesetStore(ctx.redis, rk);
  await rulesets.publish([{ id: 'r1' }], 'lead');
  await new DraftStore(ctx.redis, rk, rulesets).put({ id: 'r2' }, 'lead');
  await runScript(ctx.redis, 'finish-backfill', [rk.backfillThrough, rk.backfillInflight, rk.backfillPending], [1]);

  const crossing = calls.filter((c) => new Set(c.keys.map((k) => calculateSlot(k))).size > 1);
  expect(crossing).toEqual([]);
  expect(calls.every((c) => c.keys.length > 0)).toBe(true);
  expect([...new Set(calls.map((c) => c.name))].sort()).toEqual([...SCRIPT_NAMES].sort());
});
