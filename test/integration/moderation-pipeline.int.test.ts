import { spawn } from 'node:child_process';
import { applyDecision } from '@takedown/actions-worker';
import { createTriageWorker, triageReport } from '@takedown/triage-worker';
import { actionJobFor, caseIdFor, createRedis, scanReport, verifyAuditChain, type ActionJob, type ContentDocument, type StoredStatement, queuePrefixFor } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { claimCase as claimFor, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { scrapeValue } from '../support/prometheus-text';

let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('pipeline');
  // A post the platform indexed before anyone reported it.
  await p.ctx.es.index({
    index: p.ctx.config.contentIndex,
    id: 'post-1',
    document: { id: 'post-1', type: 'post', text: 'Selling cocaine tonight', authorId: 'author-1', createdAt: '2026-11-20T10:00:00.000Z' },
    refresh: true,
  });
});
afterAll(async () => {
  await p.stop();
});

const report = (contentId: string, extra: Record<string, unknown> = {}, token = p.tokens.reporter) => p.call('POST', '/v1/reports', token, reportBody(contentId, extra));
const caseOf = (contentId: string) => eventually(() => p.deps.cases.get(caseIdFor(contentId)));

const claimCase = (contentId: string, token = p.tokens.moderator, queue = 'default') => claimFor(p, contentId, token, queue);

describe('moderation pipeline (real Redis and Elasticsearch)', () => {
  it('report → case → claim → remove: the post is removed in Elasticsearch, search instances are told, the audit chain verifies', async () => {
    const sub = createRedis(p.ctx.config.redis.url, { connectionName: 'test:takedowns' });
    const messages: any[] = [];
    sub.on('smessage', (_c, m) => messages.push(JSON.parse(m)));
    await sub.ssubscribe(p.deps.cases.keys.takedownChannel);

    const r = await report('post-1');
    expect(r.status).toBe(202);
    expect(r.body.reportId).toMatch(/^r_/);
    const c = await caseOf('post-1');
    expect(c).toMatchObject({ contentId: 'post-1', status: 'open', lane: 'default', category: 'drugs', reportCount: 1 });
    expect(c.ruleHits.map((h) => h.ruleId)).toEqual(['drugs-sale']);

    const claimed = await claimCase('post-1');
    expect(new Date(claimed.lease.expiresAt).getTime()).toBeGreaterThan(Date.now() + 500_000);
    const d = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, {
      leaseToken: claimed.lease.token,
      action: 'remove',
      category: 'drugs',
      legalGround: 'Sale of controlled substances',
    });
    expect(d.status).toBe(201);
    const decisionId = d.body.decisionId as string;

    const doc = await eventually(async () => {
      const got = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-1' });
      return got._source?.moderation?.decisionId === decisionId ? got._source : undefined;
    });
    expect(doc.moderation).toMatchObject({ state: 'removed', category: 'drugs', decisionId });
    expect(doc.text).toBe('Selling cocaine tonight'); // the platform's fields untouched
    await eventually(async () => messages.find((m) => m.contentId === 'post-1'));
    expect(messages.find((m) => m.contentId === 'post-1')).toMatchObject({ state: 'removed', decisionId });
    await sub.quit();

    // The statement of reasons: checked with the Transparency Database's rules and stored ready to submit.
    const statement = await eventually(async () => {
      const got = await p.ctx.es.get<StoredStatement>({ index: p.deps.indices.statements, id: decisionId }, { ignore: [404] });
      return got.found ? got : undefined;
    });
    expect(statement._source).toMatchObject({ puid: decisionId, status: 'pending', automated_detection: 'Yes', takedownCategory: 'drugs' });
    expect(statement._source?.statement).toMatchObject({
      puid: decisionId,
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      automated_detection: 'Yes',
      content_date: '2026-11-20',
    });

    const detail = await eventually(async () => {
      const res = await p.call('GET', `/v1/cases/${c.id}`, p.tokens.moderator);
      const types = (res.body.audit as { type: string }[]).map((e) => e.type);
      return types.includes('action.applied') ? res.body : undefined;
    });
    expect(detail.case).toMatchObject({ status: 'decided', lastAction: 'remove', lastDecisionId: decisionId });
    expect(detail.reports).toHaveLength(1);
    expect(detail.decisions[0]).toMatchObject({ id: decisionId, decidedBy: 'moderator-1' });
    expect(detail.audit.map((e: { type: string }) => e.type)).toEqual(['report.received', 'case.claimed', 'decision.recorded', 'action.applied']);

    const verify = await p.call('GET', '/v1/audit/verify', p.tokens.admin);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.events).toBeGreaterThanOrEqual(4);

    // The latency histogram and decision counter saw it.
    const metrics = await p.call('GET', '/metrics', p.tokens.lead);
    expect(scrapeValue(metrics.body as string, 'takedown_decisions_total', { action: 'remove' })).toBeGreaterThan(0);
    expect(scrapeValue(metrics.body as string, 'takedown_decision_to_takedown_seconds_count')).toBeGreaterThan(0);
  });

  it('detects tampering: an edited audit event breaks the chain at that event', async () => {
    await eventually(async () => (await verifyAuditChain(p.ctx.es, p.deps.indices.audit)).events >= 2);
    const target = await p.ctx.es.get<any>({ index: p.deps.indices.audit, id: '2' });
    await p.ctx.es.index({ index: p.deps.indices.audit, id: '2', document: { ...target._source, actor: 'someone-else' }, refresh: true });
    const broken = await verifyAuditChain(p.ctx.es, p.deps.indices.audit);
    expect(broken).toMatchObject({ ok: false, brokenAt: 2 });
    // Restore, so the other tests see a sound chain.
    await p.ctx.es.index({ index: p.deps.indices.audit, id: '2', document: target._source, refresh: true });
    expect((await verifyAuditChain(p.ctx.es, p.deps.indices.audit)).ok).toBe(true);
  });

  it('makes one report of a repeated reportId, and one case of many reports on one content', async () => {
    const a = await report('post-dup', { reportId: 'client-report-1' });
    const b = await report('post-dup', { reportId: 'client-report-1' });
    expect([a.status, b.status, a.body.reportId, b.body.reportId]).toEqual([202, 202, 'client-report-1', 'client-report-1']);
    for (let i = 0; i < 6; i++) {
      // The sixth comes from a token an admin granted trusted-flagger standing.
      expect((await report('post-many', { reporter: { id: `u${i}` } }, i === 5 ? p.tokens.flagger : p.tokens.reporter)).status).toBe(202);
    }
    const many = await eventually(async () => {
      const c = await p.deps.cases.get(caseIdFor('post-many'));
      return c && c.reportCount === 6 ? c : undefined;
    });
    expect(many.reporterTypes.sort()).toEqual(['trusted_flagger', 'user']);
    expect((await p.deps.cases.reports(many.id)).length).toBe(6);
    const dup = await caseOf('post-dup');
    // The job ran once; and folding the same report again (as a retried job would) changes nothing.
    expect(dup.reportCount).toBe(1);
    const again = await p.deps.cases.fold({
      caseId: dup.id,
      report: (await p.deps.cases.reports(dup.id))[0]!,
      expectedRev: dup.rev,
      fields: { reportCount: 2 },
      mode: 'requeue-score',
      score: 1,
      now: new Date(),
      audit: { type: 'report.received', actor: 'test', at: new Date().toISOString() },
    });
    expect(again).toEqual({ result: 'duplicate' });
    expect((await p.deps.cases.get(dup.id))!.reportCount).toBe(1);
    // More reports rank the case higher.
    expect(many.priority).toBeGreaterThan(dup.priority);
  });

  it('gives 50 concurrent claimers 50 distinct cases, over every case shard, each case claimed once', async () => {
    // Four posts per case shard, so the claims cross every shard.
    const shards = p.deps.cases.keys.shards.length;
    const perShard = new Map<number, string[]>();
    for (let i = 0; [...perShard.values()].filter((l) => l.length >= 4).length < shards; i++) {
      const id = `post-claim-${i}`;
      const s = p.deps.cases.keys.shardOf(caseIdFor(id)).index;
      const list = perShard.get(s) ?? [];
      if (list.length < 4) perShard.set(s, [...list, id]);
    }
    const posts = [...perShard.values()].flat();
    expect(perShard.size).toBe(shards);
    await Promise.all(posts.map((id) => report(id)));
    const mine = new Set(posts.map((id) => caseIdFor(id)));
    await eventually(async () => (await Promise.all(posts.map((id) => p.deps.cases.get(caseIdFor(id))))).every((c) => c?.status === 'open'), 20000);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => (await p.deps.tokens.create({ role: 'moderator', name: `claimer-${i}`, createdBy: 'test' })).token),
    );
    // Rounds of 50 at once until the lane is empty for them: every case once, none twice.
    const held: { token: string; caseId: string; lease: string }[] = [];
    const first = await Promise.all(tokens.map((t) => p.call('POST', '/v1/review/claim', t, { queue: 'default' })));
    expect(first.map((c) => c.status)).toEqual(Array(50).fill(200));
    first.forEach((c, i) => held.push({ token: tokens[i]!, caseId: c.body.case.id, lease: c.body.lease.token }));
    for (let round = 0; round < 20; round++) {
      const more = await Promise.all(tokens.map((t) => p.call('POST', '/v1/review/claim', t, { queue: 'default' })));
      more.forEach((c, i) => {
        if (c.status === 200) held.push({ token: tokens[i]!, caseId: c.body.case.id, lease: c.body.lease.token });
      });
      if (more.every((c) => c.status === 204)) break;
    }
    const ids = held.map((h) => h.caseId);
    expect(ids.length - new Set(ids).size).toBe(0);
    expect([...mine].filter((id) => !ids.includes(id))).toEqual([]);
    // Hand them back for the other tests.
    await Promise.all(held.map((h) => p.call('POST', `/v1/review/${h.caseId}/release`, h.token, { leaseToken: h.lease })));
  });

  it('returns a case whose lease expired to its queue; the old token then gets 409', async () => {
    await report('post-lease');
    await caseOf('post-lease');
    const claimed = await claimCase('post-lease');
    const hb = await p.call('POST', `/v1/review/${claimed.case.id}/heartbeat`, p.tokens.moderator, { leaseToken: claimed.lease.token });
    expect(hb.status).toBe(200);
    expect(hb.body.lease.expiresAt >= claimed.lease.expiresAt).toBe(true);
    // Eleven minutes later, the reaper runs.
    expect(await p.deps.cases.reap(new Date(Date.now() + 11 * 60_000))).toBeGreaterThanOrEqual(1);
    expect(await p.deps.cases.get(claimed.case.id)).toMatchObject({ status: 'open' });
    for (const path of ['heartbeat', 'decision']) {
      const r = await p.call('POST', `/v1/review/${claimed.case.id}/${path}`, p.tokens.moderator, {
        leaseToken: claimed.lease.token,
        ...(path === 'decision' ? { action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' } : {}),
      });
      expect({ path, status: r.status, field: r.body.error.field }).toEqual({ path, status: 409, field: 'leaseToken' });
    }
    const other = await claimCase('post-lease', p.tokens.moderator2);
    expect(other.case.id).toBe(claimed.case.id);
    await p.call('POST', `/v1/review/${other.case.id}/release`, p.tokens.moderator2, { leaseToken: other.lease.token });
  });

  it('replaying an actions job changes nothing', async () => {
    await report('post-replay');
    const c = await caseOf('post-replay');
    const claimed = await claimCase('post-replay');
    const d = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, {
      leaseToken: claimed.lease.token,
      action: 'restrict',
      category: 'drugs',
      legalGround: 'Illegal in Germany',
      countries: ['DE'],
    });
    expect(d.status).toBe(201);
    const decision = await eventually(async () => {
      const x = await p.deps.cases.decision(c.id, d.body.decisionId);
      return x?.appliedAt ? x : undefined;
    });
    const before = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-replay' });
    expect(before._source?.moderation).toMatchObject({ state: 'restricted', restrictedIn: ['DE'] });
    await p.audit.flushOnce();
    const eventsBefore = (await verifyAuditChain(p.ctx.es, p.deps.indices.audit)).events;
    const job: ActionJob = actionJobFor(decision);
    expect(await applyDecision(p.actionsDeps, job)).toBe('replay');
    // And through the queue itself: BullMQ keeps one job per decision id.
    await p.deps.actions.add(job, { jobId: decision.id });
    await new Promise((r) => setTimeout(r, 300));
    await p.audit.flushOnce();
    const after = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-replay' });
    expect(after._seq_no).toBe(before._seq_no);
    expect((await verifyAuditChain(p.ctx.es, p.deps.indices.audit)).events).toBe(eventsBefore);
  });

  it('sends an appeal to a moderator other than the original decider, who can reinstate the post', async () => {
    await report('post-appeal');
    const c = await caseOf('post-appeal');
    const claimed = await claimCase('post-appeal');
    const d = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, {
      leaseToken: claimed.lease.token,
      action: 'remove',
      category: 'drugs',
      legalGround: 'Sale of drugs',
    });
    await eventually(async () => (await p.deps.cases.decision(c.id, d.body.decisionId))?.appliedAt);
    const bad = await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId: 'post-appeal', decisionId: 'd_nope', reason: 'I was selling sugar' });
    expect([bad.status, bad.body.error.field]).toEqual([409, 'decisionId']);
    const a = await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId: 'post-appeal', decisionId: d.body.decisionId, reason: 'It was a joke about sugar' });
    expect(a.status).toBe(202);
    expect(a.body.queue).toBe('appeals');
    // The original decider is never handed their own appeal.
    expect((await p.call('POST', '/v1/review/claim', p.tokens.moderator, { queue: 'appeals' })).status).toBe(204);
    const other = await claimCase('post-appeal', p.tokens.moderator2, 'appeals');
    const keep = await p.call('POST', `/v1/review/${other.case.id}/decision`, p.tokens.moderator2, {
      leaseToken: other.lease.token,
      action: 'keep',
      category: 'drugs',
      legalGround: 'Appeal upheld: no sale',
    });
    expect(keep.status).toBe(201);
    const doc = await eventually(async () => {
      const got = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-appeal' });
      return got._source?.moderation?.decisionId === keep.body.decisionId ? got._source : undefined;
    });
    expect(doc.moderation?.state).toBe('none');
    const decisions = await p.deps.cases.decisions(c.id);
    expect(decisions.map((x) => [x.action, x.decidedBy, x.appealOf ?? null])).toEqual([
      ['remove', 'moderator-1', null],
      ['keep', 'moderator-2', d.body.decisionId],
    ]);
  });

  it('applies decisions in the order they were recorded, whatever order their jobs run in: an older decision never overwrites a newer one', async () => {
    // The actions worker waits, so this test runs the two jobs itself, newest first.
    await p.actions.pause();
    try {
      await report('post-order');
      const c = await caseOf('post-order');
      const claimed = await claimCase('post-order');
      const removed = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' });
      expect(removed.status).toBe(201);
      const a = await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId: 'post-order', decisionId: removed.body.decisionId, reason: 'It was sugar' });
      expect(a.status).toBe(202);
      const other = await claimCase('post-order', p.tokens.moderator2, 'appeals');
      const kept = await p.call('POST', `/v1/review/${other.case.id}/decision`, p.tokens.moderator2, { leaseToken: other.lease.token, action: 'keep', category: 'drugs', legalGround: 'Appeal upheld' });
      expect(kept.status).toBe(201);
      const [older, newer] = [await p.deps.cases.decision(caseIdFor('post-order'), removed.body.decisionId), await p.deps.cases.decision(caseIdFor('post-order'), kept.body.decisionId)];
      expect(older?.seq).toBe(1);
      expect(newer?.seq).toBe(2);

      const sub = createRedis(p.ctx.config.redis.url, { connectionName: 'test:takedowns-order' });
      const messages: any[] = [];
      sub.on('smessage', (_c, m) => messages.push(JSON.parse(m)));
      await sub.ssubscribe(p.deps.cases.keys.takedownChannel);
      expect(await applyDecision(p.actionsDeps, actionJobFor(newer!))).toBe('applied');
      expect(await applyDecision(p.actionsDeps, actionJobFor(older!))).toBe('superseded');
      // A removal is announced before its write, so the superseded one was too, with its sequence number: a search
      // instance drops it once Elasticsearch shows the later decision (search-service.int.test.ts pins that side).
      await eventually(async () => messages.find((m) => m.decisionId === older!.id));
      expect(messages.filter((m) => m.contentId === 'post-order').map((m) => [m.decisionId, m.state, m.decisionSeq])).toEqual([
        [newer!.id, 'none', 2],
        [older!.id, 'removed', 1],
      ]);
      await sub.quit();
      const doc = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-order' });
      expect(doc._source?.moderation).toMatchObject({ state: 'none', decisionId: kept.body.decisionId, decisionSeq: 2 });
      // The superseded decision is settled (out of the outbox), and its replay changes nothing either.
      expect((await p.deps.cases.decision(caseIdFor('post-order'), removed.body.decisionId))?.appliedAt).toBeDefined();
      expect(await applyDecision(p.actionsDeps, actionJobFor(older!))).toBe('replay');
      const again = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-order' });
      expect(again._seq_no).toBe(doc._seq_no);
    } finally {
      p.actions.resume();
    }
  });

  it('an older decision whose job ran again after a newer one was applied (a retry after a crash) leaves the newer one in place', async () => {
    await report('post-retry');
    const c = await caseOf('post-retry');
    const claimed = await claimCase('post-retry');
    const removed = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' });
    await eventually(async () => (await p.deps.cases.decision(c.id, removed.body.decisionId))?.appliedAt);
    await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId: 'post-retry', decisionId: removed.body.decisionId, reason: 'It was sugar' });
    const other = await claimCase('post-retry', p.tokens.moderator2, 'appeals');
    const kept = await p.call('POST', `/v1/review/${other.case.id}/decision`, p.tokens.moderator2, { leaseToken: other.lease.token, action: 'keep', category: 'drugs', legalGround: 'Appeal upheld' });
    await eventually(async () => (await p.deps.cases.decision(c.id, kept.body.decisionId))?.appliedAt);
    // The remove's job died after writing the content and before recording it: its retry comes now.
    await p.ctx.redis.hdel(p.deps.cases.keys.decision(c.id, removed.body.decisionId), 'appliedAt');
    const older = (await p.deps.cases.decision(c.id, removed.body.decisionId))!;
    expect(await applyDecision(p.actionsDeps, actionJobFor(older))).toBe('superseded');
    const doc = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-retry' });
    expect(doc._source?.moderation).toMatchObject({ state: 'none', decisionId: kept.body.decisionId });
  });

  it('refuses an actions job without a recorded decision, or whose data differs from it: failed without retry, audited with ids only', async () => {
    await p.ctx.es.index({
      index: p.ctx.config.contentIndex,
      id: 'post-forged',
      document: { id: 'post-forged', type: 'post', text: 'An ordinary post', authorId: 'author-2', createdAt: '2026-11-20T10:00:00.000Z' },
      refresh: true,
    });
    const forged: ActionJob = {
      decisionId: 'd_forged0000000000000',
      caseId: caseIdFor('post-forged'),
      contentId: 'post-forged',
      action: 'remove',
      category: 'csam',
      legalGround: 'made up on the job board',
      decidedBy: 'moderator-1',
      decidedAt: new Date().toISOString(),
    };
    const notRecorded = await p.deps.actions.add(forged, { jobId: forged.decisionId });

    // A recorded keep, and a job under its id that says remove.
    await report('post-doctored');
    const c = await caseOf('post-doctored');
    const claimed = await claimCase('post-doctored');
    const kept = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'keep', category: 'drugs', legalGround: 'Fine' });
    const keep = await eventually(async () => {
      const x = await p.deps.cases.decision(c.id, kept.body.decisionId);
      return x?.appliedAt ? x : undefined;
    });
    const doctored = await p.deps.actions.add({ ...actionJobFor(keep), action: 'remove' }, { jobId: `doctored-${keep.id}` });

    for (const job of [notRecorded, doctored]) {
      const state = await eventually(async () => {
        const s = await job.getState();
        return s === 'failed' || s === 'completed' ? s : undefined;
      });
      expect(state).toBe('failed');
      const done = await p.deps.actions.queue.getJob(job.id as string);
      expect(done?.attemptsMade).toBe(1);
    }
    expect((await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-forged' }))._source?.moderation).toBeUndefined();
    expect((await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'post-doctored' }))._source?.moderation).toMatchObject({ state: 'none', decisionId: keep.id });
    expect(await p.deps.cases.get(caseIdFor('post-forged'))).toBeUndefined();

    await p.audit.flushOnce();
    await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
    const events = await p.ctx.es.search<{ type: string; contentId?: string; data?: Record<string, unknown> }>({ index: p.deps.indices.audit, query: { term: { type: 'action.refused' } }, size: 100 });
    const refused = events.hits.hits.map((h) => h._source!).filter((e) => e.contentId === 'post-forged' || e.contentId === 'post-doctored');
    expect(refused.map((e) => [e.contentId, e.data])).toEqual(
      expect.arrayContaining([
        ['post-forged', { decisionId: forged.decisionId, jobId: forged.decisionId, reason: 'not_recorded' }],
        ['post-doctored', { decisionId: keep.id, jobId: `doctored-${keep.id}`, reason: 'differs' }],
      ]),
    );
    expect(refused).toHaveLength(2);
    // Ids only: nothing of the job's data (its ground, its category) is in the audit.
    expect(JSON.stringify(refused)).not.toMatch(/made up|csam/);
  });

  it('takes known abuse media down at once and queues it for confirmation on the restricted lane', async () => {
    // The platform's own hash scanner: a detector token (standing granted by an admin) whose copy is trusted.
    const r = await p.call('POST', '/v1/reports', p.tokens.detector, {
      content: { id: 'media-1', type: 'media', mediaSha256: ['ab'.repeat(32)], authorId: 'author-9' },
      reporter: { id: 'hash-scanner' },
      reason: 'other',
    });
    expect(r.status).toBe(202);
    const c = await caseOf('media-1');
    expect(c).toMatchObject({ lane: 'csam', category: 'csam', status: 'open' });
    expect(c.autoRemovedBy).toMatch(/^d_/);
    const doc = await eventually(async () => (await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'media-1' }, { ignore: [404] }))._source);
    expect(doc.moderation).toMatchObject({ state: 'removed', category: 'csam', decisionId: c.autoRemovedBy, placeholder: true });
    // The placeholder carries the decision, nothing a reporter wrote.
    expect(Object.keys(doc).sort()).toEqual(['id', 'moderation']);
    // Not visible to an uncleared moderator, in any form.
    expect((await p.call('POST', '/v1/review/claim', p.tokens.moderator, { queue: 'csam' })).status).toBe(403);
    expect((await p.call('GET', `/v1/cases/${c.id}`, p.tokens.moderator)).status).toBe(403);
    await eventually(async () => (await p.call('GET', '/v1/cases?queue=csam', p.tokens.csamModerator)).body.total >= 1);
    expect((await p.call('GET', '/v1/cases?queue=csam', p.tokens.moderator)).body.total).toBe(0);
    const claimed = await claimCase('media-1', p.tokens.csamModerator, 'csam');
    expect(claimed.case.id).toBe(c.id);
    await p.call('POST', `/v1/review/${c.id}/release`, p.tokens.csamModerator, { leaseToken: claimed.lease.token });
  });

  it("an automated removal whose job runs after a moderator's keep leaves the post kept (the auto decision is numbered where it is recorded)", async () => {
    await p.actions.pause();
    try {
      const r = await p.call('POST', '/v1/reports', p.tokens.detector, {
        content: { id: 'media-late', type: 'media', mediaSha256: ['ab'.repeat(32)], authorId: 'author-9' },
        reporter: { id: 'hash-scanner' },
        reason: 'other',
      });
      expect(r.status).toBe(202);
      const c = await caseOf('media-late');
      const auto = (await p.deps.cases.decision(c.id, c.autoRemovedBy as string))!;
      expect(auto).toMatchObject({ action: 'remove', automated: true, seq: 1 });
      const claimed = await claimCase('media-late', p.tokens.csamModerator, 'csam');
      const kept = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.csamModerator, { leaseToken: claimed.lease.token, action: 'keep', category: 'csam', legalGround: 'Hash collision: not abuse material' });
      expect(kept.status).toBe(201);
      const keep = (await p.deps.cases.decision(c.id, kept.body.decisionId))!;
      expect(keep.seq).toBe(2);
      expect(await applyDecision(p.actionsDeps, actionJobFor(keep))).toBe('applied');
      expect(await applyDecision(p.actionsDeps, actionJobFor(auto))).toBe('superseded');
      const doc = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'media-late' });
      expect(doc._source?.moderation).toMatchObject({ state: 'none', decisionId: keep.id, decisionSeq: 2 });
    } finally {
      p.actions.resume();
    }
  });

  it('trusts the platform, not the report: forged text, media and standing change nothing a plain report would not', async () => {
    const platformText = 'Lovely lemon cake recipe, photos in the comments';
    for (const id of ['trust-forged', 'trust-plain']) {
      await p.ctx.es.index({ index: p.ctx.config.contentIndex, id, document: { id, type: 'post', text: platformText, authorId: 'baker-1', createdAt: '2026-11-20T10:00:00.000Z' }, refresh: true });
    }
    // A reporter's copy claiming a sale phrase and a known abuse hash, on a post that says neither.
    const forged = await report('trust-forged', { content: { id: 'trust-forged', type: 'post', text: 'Selling cocaine, DM me', mediaSha256: ['ab'.repeat(32)], authorId: 'baker-1' } });
    expect(forged.status).toBe(202);
    const plain = await report('trust-plain', { content: { id: 'trust-plain', type: 'post', authorId: 'baker-1' } });
    expect(plain.status).toBe(202);
    const [f, pl] = [await caseOf('trust-forged'), await caseOf('trust-plain')];
    expect(f.content).toMatchObject({ text: platformText, source: 'platform' });
    expect(f.content.mediaSha256).toBeUndefined();
    expect(f.ruleHits).toEqual([]);
    expect(f.autoRemovedBy).toBeUndefined();
    expect([f.priority, f.lane]).toEqual([pl.priority, pl.lane]);
    const stored = await p.ctx.es.get<ContentDocument>({ index: p.ctx.config.contentIndex, id: 'trust-forged' });
    expect(stored._source?.moderation).toBeUndefined();
    // The reporter's copy stays as their evidence.
    expect((await p.deps.cases.reports(f.id))[0]?.content.text).toBe('Selling cocaine, DM me');

    // Standing comes from the token: a body cannot claim it.
    const claimed = await report('trust-plain', { reporter: { type: 'authority', id: 'police' } });
    expect([claimed.status, claimed.body.error.code, claimed.body.error.field]).toEqual([403, 'standing_not_granted', '/reporter/type']);
    expect((await report('trust-plain', { reporter: { id: 'police-1' } }, p.tokens.authority)).status).toBe(202);
    const raised = await eventually(async () => {
      const c = await p.deps.cases.get(caseIdFor('trust-plain'));
      return c && c.reportCount === 2 ? c : undefined;
    });
    expect(raised.reporterTypes.sort()).toEqual(['authority', 'user']);
    expect(raised.priority).toBeGreaterThan(pl.priority);
  });

  it('shows the first reporter copy of content the index does not hold, never acts on it, and scopes report ids to the token', async () => {
    const first = await report('trust-unindexed', { reportId: 'same-id', content: { id: 'trust-unindexed', type: 'message', text: 'first copy: selling cocaine', mediaSha256: ['ab'.repeat(32)], authorId: 'x' } });
    expect([first.status, first.body.reportId]).toEqual([202, 'same-id']);
    await caseOf('trust-unindexed');
    // Another client using the same id files its own report; a later copy does not replace the first.
    const second = await report('trust-unindexed', { reportId: 'same-id', content: { id: 'trust-unindexed', type: 'message', text: 'second copy, different words', authorId: 'x' } }, p.tokens.flagger);
    expect(second.status).toBe(202);
    const c = await eventually(async () => {
      const x = await p.deps.cases.get(caseIdFor('trust-unindexed'));
      return x && x.reportCount === 2 ? x : undefined;
    });
    expect(c.content).toMatchObject({ text: 'first copy: selling cocaine', source: 'report' });
    // Shown to moderators, marked unverified; never scored, never acted on.
    expect(c.ruleHits.map((h) => [h.ruleId, h.unverified])).toEqual([
      ['drugs-sale', true],
      ['known-csam-hash', true],
    ]);
    expect(c.autoRemovedBy).toBeUndefined();
    // Not scored (the category is the reason's), but a known csam hash on the copy restricts who may look at it.
    expect([c.category, c.lane, c.csamSignal]).toEqual(['drugs', 'csam', true]);
    const doc = await p.ctx.es.get({ index: p.ctx.config.contentIndex, id: 'trust-unindexed' }, { ignore: [404] });
    expect(doc.found).toBe(false);
    const ids = (await p.deps.cases.reports(c.id)).map((r) => r.reportId);
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => id.endsWith('.same-id'))).toBe(true);
    expect(new Set(ids.map((id) => id.split('.')[0])).size).toBe(2);
    // The first client retrying its id is the same job: the queue keeps the first payload.
    const firstId = (await p.deps.cases.reports(c.id)).find((r) => r.content.text === 'first copy: selling cocaine')!.reportId;
    expect((await report('trust-unindexed', { reportId: 'same-id' })).status).toBe(202);
    const job = await p.deps.reports.queue.getJob(firstId);
    expect(job?.data.content.text).toBe('first copy: selling cocaine');
  });

  it('a report joining a decided case leaves its category and rank alone: a reason is only the reporter\'s claim', async () => {
    await p.ctx.es.index({ index: p.ctx.config.contentIndex, id: 'kept-claim', document: { id: 'kept-claim', type: 'post', text: 'A recipe for lemon cake', authorId: 'baker-2', createdAt: '2026-11-20T10:00:00.000Z' }, refresh: true });
    await report('kept-claim', { content: { id: 'kept-claim', type: 'post', authorId: 'baker-2' }, reason: 'fraud' });
    const c = await caseOf('kept-claim');
    const claimed = await claimCase('kept-claim');
    expect((await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'keep', category: 'fraud', legalGround: 'Nothing wrong' })).status).toBe(201);
    const decided = await eventually(async () => {
      const x = await p.deps.cases.get(c.id);
      return x?.status === 'decided' ? x : undefined;
    });
    await report('kept-claim', { content: { id: 'kept-claim', type: 'post', authorId: 'baker-2' }, reason: 'csam' });
    const after = await eventually(async () => {
      const x = await p.deps.cases.get(c.id);
      return x && x.reportCount === 2 ? x : undefined;
    });
    expect([after.status, after.category, after.priority, after.lane]).toEqual(['decided', decided.category, decided.priority, decided.lane]);
  });

  it("takes the copy Takedown's own scan reported as the platform's, without reading the index again; anyone else's is checked", async () => {
    const job = scanReport({ id: 'scan-copy', type: 'post', text: 'Selling cocaine now', authorId: 'a1' }, [{ id: 'drugs-sale', category: 'drugs' }], 1, new Date().toISOString(), 'ingest');
    const noReads = { ...p.triageDeps, content: { get: () => Promise.reject(new Error('read the index')) } };
    expect((await triageReport(noReads, job)).result).toBe('enqueued');
    const c = await p.deps.cases.get(caseIdFor('scan-copy'));
    expect(c?.content).toMatchObject({ text: 'Selling cocaine now', source: 'platform' });
    expect(c?.ruleHits.map((h) => [h.ruleId, h.unverified ?? false])).toEqual([['drugs-sale', false]]);
    const client = { ...job, reportId: 't_other.r1', filedBy: { tokenId: 't_other', name: 'client' }, reporter: { type: 'user' as const } };
    await expect(triageReport(noReads, client)).rejects.toThrow('read the index');
  });

  it('lists cases from the cases index, filtered and sorted', async () => {
    await eventually(async () => (await p.call('GET', '/v1/cases?status=open&size=100', p.tokens.lead)).body.total >= 60);
    const byPriority = await p.call('GET', '/v1/cases?status=open&sort=priority&size=20', p.tokens.lead);
    const priorities = byPriority.body.cases.map((c: { priority: number }) => c.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    const byAge = await p.call('GET', '/v1/cases?queue=default&sort=age&size=20', p.tokens.moderator);
    const ages = byAge.body.cases.map((c: { firstReportedAt: string }) => c.firstReportedAt);
    expect(ages).toEqual([...ages].sort());
    const bad = await p.call('GET', '/v1/cases?size=1000', p.tokens.lead);
    expect([bad.status, bad.body.error.field]).toEqual([400, '/size']);
  });

  it('answers malformed bodies with 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/reports', { reporter: { type: 'user' }, reason: 'drugs' }, '/content'],
      ['POST', '/v1/reports', reportBody('x', { reason: 'gossip' }), '/reason'],
      ['POST', '/v1/reports', { ...reportBody('x'), extra: 1 }, '/extra'],
      ['POST', '/v1/reports', reportBody('bad id with spaces'), '/content/id'],
      ['POST', '/v1/review/claim', { queue: 'vip' }, '/queue'],
      ['POST', '/v1/appeals', { contentId: 'x', decisionId: 'd_1' }, '/reason'],
    ];
    for (const [method, path, body, field] of cases) {
      const token = path.startsWith('/v1/review') ? p.tokens.moderator : p.tokens.reporter;
      const r = await p.call(method, path, token, body);
      expect({ path, field, status: r.status, got: r.body.error.field }).toEqual({ path, field, status: 400, got: field });
    }
    const restrictWithout = await p.call('POST', `/v1/review/${caseIdFor('post-1')}/decision`, p.tokens.moderator, {
      leaseToken: 'x',
      action: 'restrict',
      category: 'drugs',
      legalGround: 'Local law',
    });
    expect([restrictWithout.status, restrictWithout.body.error.field]).toEqual([400, '/countries']);
    const notJson = await p.call('POST', '/v1/reports', p.tokens.reporter, '{"content":');
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'invalid_json']);
  });

  it("retries a killed worker's job: nothing is lost", async () => {
    // Only the doomed worker below may take the job.
    await p.triage.close();
    // A worker in another process takes the job and dies holding it. (Its stall
    // check interval matches the others': a worker's check blocks every other
    // worker's for that long.)
    const script = `
      const { Worker } = require('bullmq');
      new Worker('reports', () => { process.stdout.write('got\\n'); return new Promise(() => {}); },
        { connection: { url: ${JSON.stringify(p.ctx.config.redis.url)} }, prefix: ${JSON.stringify(queuePrefixFor(p.ctx.config.queuePrefix, 'reports'))}, lockDuration: 1000, stalledInterval: 500 });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const got = new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    expect((await report('post-killed')).status).toBe(202);
    await got;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await p.deps.cases.get(caseIdFor('post-killed'))).toBeUndefined();
    // A fresh triage worker: the dead one's lock lapses, the stalled-job check hands the job back, triage folds it.
    const triage = createTriageWorker(
      p.triageDeps,
      { connection: p.ctx.bullConnection, prefix: p.ctx.config.queuePrefix, concurrency: 2, logger: p.deps.logger, tuning: { stalledInterval: 500 } },
    );
    try {
      const c = await eventually(() => p.deps.cases.get(caseIdFor('post-killed')), 30000);
      expect(c.reportCount).toBe(1);
    } finally {
      await triage.close();
    }
  });

  it('reports readiness with the workers it depends on', async () => {
    // No worker process runs in this test (workers are in-process here, without heartbeats).
    const r = await p.call('GET', '/readyz', p.tokens.admin);
    expect(r.status).toBe(503);
    expect(r.body.checks).toMatchObject({ redis: { ok: true }, elasticsearch: { ok: true }, 'workers.triage': { ok: false } });
    const stop = [
      (await import('@takedown/shared')).startHeartbeat(p.ctx.redis, p.deps.cases.keys, 'triage', 'test'),
      (await import('@takedown/shared')).startHeartbeat(p.ctx.redis, p.deps.cases.keys, 'actions', 'test'),
    ];
    await eventually(async () => (await p.call('GET', '/readyz', p.tokens.admin)).status === 200);
    await Promise.all(stop.map((s) => s()));
  });
});

describe('the audit chain survives a poisoned stream entry', () => {
  it('sets an unparseable entry aside, records an audit.gap event naming it, and goes on', async () => {
    const keys = p.deps.cases.keys;
    const poison = '{"type":"report.received","contentId":"post-secret", not json';
    const poisonedId = (await p.ctx.redis.xadd(keys.audit, '*', 'event', poison)) as string;
    const afterId = (await p.ctx.redis.xadd(keys.audit, '*', 'event', JSON.stringify({ type: 'test.after-poison', actor: 'test', at: new Date().toISOString() }))) as string;
    // The entry after the poisoned one reaches the chain.
    const after = await eventually(async () => {
      await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
      const res = await p.ctx.es.search<{ seq: number; type: string }>({ index: p.deps.indices.audit, query: { term: { streamId: afterId } } });
      return res.hits.hits[0]?._source;
    });
    expect(after.type).toBe('test.after-poison');
    const gapRes = await p.ctx.es.search<{ seq: number; type: string; data: Record<string, unknown> }>({ index: p.deps.indices.audit, query: { term: { streamId: poisonedId } } });
    const gap = gapRes.hits.hits[0]?._source;
    expect(gap).toMatchObject({ type: 'audit.gap', actor: 'system', data: { streamId: poisonedId, length: Buffer.byteLength(poison) } });
    expect(after.seq).toBe(gap!.seq + 1);
    // Set aside by id and length only: the content is in neither the dead letter nor the chain.
    expect(await p.ctx.redis.hgetall(keys.auditDeadLetter)).toEqual({ [poisonedId]: String(Buffer.byteLength(poison)) });
    expect(JSON.stringify(gap)).not.toContain('post-secret');
    const verify = await p.call('GET', '/v1/audit/verify', p.tokens.admin);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, gaps: [{ seq: gap!.seq, streamId: poisonedId, length: Buffer.byteLength(poison) }] });
  });
});
