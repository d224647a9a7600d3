import type { Worker } from 'bullmq';
import { buildBackfillDeps, createBackfillWorker, runBackfill } from '@takedown/backfill-worker';
import { NORMALIZER_VERSION, testing, type Rule } from '@takedown/search-rules';
import { caseIdFor, type ContentDocument } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { claimCase, startPipeline, type Pipeline } from '../support/pipeline';

const RULES: Rule[] = [
  testing.rule('sale', 'selling cocaine', { scope: ['content'], action: 'flag_for_review', untilReviewed: 'exclude' }),
  testing.rule('cocaine', 'cocaine', { scope: ['query'], action: 'block_query' }),
];

let p: Pipeline;
let backfill: Awaited<ReturnType<typeof buildBackfillDeps>>;
let worker: Worker;
let index: string;

beforeAll(async () => {
  p = await startPipeline('backfill-sweep', { rules: RULES });
  index = p.ctx.config.contentIndex;
  backfill = await buildBackfillDeps({ ...p.ctx.config, docsPerSec: 100_000, slices: 2, settleMs: 300 });
  worker = createBackfillWorker(backfill, { connection: p.ctx.bullConnection, prefix: p.ctx.config.queuePrefix, concurrency: 1, logger: p.deps.logger });
}, 60_000);
afterAll(async () => {
  await worker.close();
  await backfill.close();
  await p.stop();
});

const lead = (method: string, path: string, body?: unknown) => p.call(method, path, p.tokens.lead, body);
const stored = async (id: string) => (await p.ctx.es.get<ContentDocument>({ index, id }))._source as ContentDocument;
const post = (id: string, text: string) => ({ id, type: 'post', text, authorId: 'a1', lang: 'en', createdAt: '2026-11-01T00:00:00.000Z' });
const jobDone = (jobId: string) =>
  eventually(async () => {
    const j = (await lead('GET', '/v1/rules/backfill')).body.jobs.find((x: { jobId: string }) => x.jobId === jobId);
    return j?.state === 'completed' ? j : undefined;
  }, 60_000);

describe('every publish back-fills, documents written around Takedown included', () => {
  it('scans documents that were never scanned, restores decisions from the case store, and opens cases', async () => {
    // A post a moderator removed; then the platform rebuilt its index straight into Elasticsearch, losing moderation.*.
    await p.ctx.es.index({ index, id: 'rebuilt', document: post('rebuilt', 'Just a cake'), refresh: true });
    await p.call('POST', '/v1/reports', p.tokens.reporter, { content: { id: 'rebuilt', type: 'post', authorId: 'a1' }, reason: 'fraud' });
    await eventually(() => p.deps.cases.get(caseIdFor('rebuilt')));
    const claimed = await claimCase(p, 'rebuilt');
    const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'fraud', legalGround: 'Scam' });
    await eventually(async () => (await p.deps.cases.decision(claimed.case.id, d.body.decisionId))?.appliedAt);
    // Written around Takedown: no normalised text, no scannedVersion, no decision.
    const docs = [post('rebuilt', 'Just a cake'), post('legacy-sale', 'S e l l i n g cocaine, dm me'), post('legacy-clean', 'Lemon cake recipe')];
    await p.ctx.es.bulk({ operations: docs.flatMap((doc) => [{ index: { _index: index, _id: doc.id } }, doc]), refresh: true });

    // The watermark is unset (the pipeline published v1 around the publisher): this publish plans against nothing.
    await lead('PUT', '/v1/rules/draft/extra', { kind: 'term', pattern: 'zzqx', category: 'other', scope: ['query'], action: 'block_query' });
    const pub = await lead('POST', '/v1/rules/publish', { note: 'query rule only' });
    expect(pub.status).toBe(201);
    // Even a publish that changes only a query rule back-fills (here: the content rules never back-filled, and the sweep).
    expect(pub.body.backfill).toMatchObject({ jobId: `backfill-v${pub.body.version}`, apply: 1, clear: 0 });
    const done = await jobDone(pub.body.backfill.jobId);
    expect(done.progress).toMatchObject({ phase: 'done', scanned: 3, reported: 1 });

    expect((await stored('legacy-sale')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['sale'], scannedVersion: pub.body.version });
    expect((await stored('legacy-clean')).moderation).toMatchObject({ state: 'none', ruleHits: [], scannedVersion: pub.body.version });
    expect((await stored('rebuilt')).moderation).toMatchObject({ state: 'removed', decisionId: d.body.decisionId, scannedVersion: pub.body.version });
    const c = await eventually(() => p.deps.cases.get(caseIdFor('legacy-sale')));
    expect(c).toMatchObject({ reporterTypes: ['automated'], content: { source: 'platform' } });
    expect((await lead('GET', '/v1/rules/backfill')).body).toMatchObject({ backfilledThrough: pub.body.version, pendingForSearch: [] });
  });

  it('a rollback back-fills too; a job a newer publish superseded stops without touching anything', async () => {
    const before = (await lead('GET', '/v1/rules/versions')).body.current as number;
    const rb = await lead('POST', '/v1/rules/rollback', { version: 1 });
    expect(rb.status).toBe(201);
    expect(rb.body.backfill).toMatchObject({ jobId: `backfill-v${rb.body.version}`, apply: 0, clear: 0 });
    await jobDone(rb.body.backfill.jobId);
    // The older version's job, as if it ran late and no backfill had finished since: a newer version is live,
    // so it stops. Had it run, clearing "sale" would have made the post visible.
    const through = await p.ctx.redis.get(p.deps.rulesets.keys.backfillThrough);
    await p.ctx.redis.del(p.deps.rulesets.keys.backfillThrough);
    const stale = await runBackfill(backfill, { rulesetVersion: before, apply: [], clear: ['sale'] });
    await p.ctx.redis.set(p.deps.rulesets.keys.backfillThrough, through as string);
    expect(stale.phase).toBe('superseded');
    expect((await stored('legacy-sale')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['sale'] });
  });

  it('sweeps what an ingest instance still wrote with the previous version after the publish, once that has settled', async () => {
    const current = (await p.deps.rulesets.currentVersion()) as number;
    const publishedAt = Date.parse((await p.deps.rulesets.get(current))!.publishedAt);
    await p.ctx.redis.del(p.deps.rulesets.keys.backfillThrough);
    // The job's sweep waits until 1.5 s from now; meanwhile a write scanned with the previous version lands.
    const job = runBackfill({ ...backfill, settleMs: Date.now() - publishedAt + 1500 }, { rulesetVersion: current, apply: [], clear: [] });
    await p.ctx.es.index({ index, id: 'late-write', document: { ...post('late-write', 'selling cocaine, late'), moderation: { normalizedText: 'clean words', scannedVersion: current - 1, updatedAt: new Date().toISOString(), state: 'none', ruleHits: [] } }, refresh: true });
    const progress = await job;
    expect(progress.phase).toBe('done');
    expect((await stored('late-write')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['sale'], scannedVersion: current });
    expect(await p.deps.rulesets.backfilledThrough()).toBe(current);
  });

  it("an operator's 'changed' rescan sweeps documents written around ingest even when the watermark is current", async () => {
    await p.ctx.es.index({ index, id: 'around', document: post('around', 'S e l l i n g cocaine, around ingest'), refresh: true });
    const started = await lead('POST', '/v1/rules/backfill', { sweep: 'changed' });
    expect(started.status).toBe(202);
    const done = await jobDone(started.body.backfill.jobId);
    expect(done.progress.phase).toBe('done');
    expect((await stored('around')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['sale'] });
  });

  it('tags what the matcher would: hashes in either case, locale rules on documents with no language or a regional one', async () => {
    const hash = 'ef'.repeat(32);
    // As ingest stores them, scanned with the current version (so only the apply pass can reach them).
    const current = (await p.deps.rulesets.currentVersion()) as number;
    const scanned = (id: string, extra: Record<string, unknown>) => ({ ...post(id, 'verbot zeug ici'), ...extra, moderation: { normalizedText: 'verbot zeug ici', scannedVersion: current, updatedAt: '2026-11-01T00:00:00.000Z', state: 'none', ruleHits: [] } });
    const docs = [
      scanned('h-upper', { media: [{ sha256: hash.toUpperCase(), kind: 'image' }] }),
      scanned('h-lower', { media: [{ sha256: hash, kind: 'image' }] }),
      scanned('l-fr', { lang: 'fr' }),
      scanned('l-fr-fr', { lang: 'fr-FR' }),
      scanned('l-upper', { lang: 'FR' }),
      { ...scanned('l-none', {}), lang: undefined },
      scanned('l-de', { lang: 'de' }),
    ];
    await p.ctx.es.bulk({ operations: docs.flatMap((doc) => [{ index: { _index: index, _id: doc.id } }, JSON.parse(JSON.stringify(doc))]), refresh: true });
    await lead('PUT', '/v1/rules/draft/hash-ef', { kind: 'sha256', pattern: hash, category: 'csam', scope: ['content'], action: 'auto_remove' });
    await lead('PUT', '/v1/rules/draft/fr-only', { kind: 'phrase', pattern: 'verbot zeug', category: 'other', scope: ['content'], action: 'exclude', locales: ['fr'] });
    const pub = await lead('POST', '/v1/rules/publish', { note: 'hash and locale' });
    await jobDone(pub.body.backfill.jobId);
    for (const id of ['h-upper', 'h-lower']) expect({ id, m: (await stored(id)).moderation }).toMatchObject({ id, m: { state: 'removed', ruleHits: ['hash-ef'] } });
    for (const id of ['l-fr', 'l-fr-fr', 'l-upper', 'l-none']) expect({ id, m: (await stored(id)).moderation }).toMatchObject({ id, m: { state: 'excluded', ruleHits: ['fr-only'] } });
    expect((await stored('l-de')).moderation).toMatchObject({ state: 'none', ruleHits: [] });
  });

  it('publishing pdq hashes also scans every document carrying a PDQ hash, so near copies are tagged, not only exact ones', async () => {
    const listed = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d';
    // 5 bits away ("6" → "9" flips 4, "2" → "3" flips 1): a near copy, as a re-encode gives.
    const near = `93${listed.slice(2)}`;
    // Every bit flipped: 256 bits away.
    const far = [...listed].map((c) => (15 - parseInt(c, 16)).toString(16)).join('');
    const current = (await p.deps.rulesets.currentVersion()) as number;
    const scanned = (id: string, pdq: string) => ({ ...post(id, 'holiday photo'), media: [{ pdq, kind: 'image' }], moderation: { normalizedText: 'holiday photo', scannedVersion: current, updatedAt: '2026-11-01T00:00:00.000Z', state: 'none', ruleHits: [] } });
    const docs = [scanned('px-exact', listed), scanned('px-near', near), scanned('px-far', far)];
    await p.ctx.es.bulk({ operations: docs.flatMap((doc) => [{ index: { _index: index, _id: doc.id } }, doc]), refresh: true });

    const imp = await lead('POST', '/v1/rules/draft/import', { format: 'pdq-list', content: `hash,quality\n${listed},100\n`, list: { name: 'bf-list', source: 'backfill test', category: 'drugs', action: 'exclude' } });
    expect(imp.status).toBe(200);
    const pub = await lead('POST', '/v1/rules/publish', { note: 'a pdq list' });
    expect(pub.status).toBe(201);
    // The apply pass's term query finds the exact copy only; the media sweep finds the near one by distance.
    expect((await p.deps.backfill.queue.getJob(pub.body.backfill.jobId as string))?.data).toMatchObject({ sweep: 'media' });
    await jobDone(pub.body.backfill.jobId);
    const exact = (await stored('px-exact')).moderation;
    expect(exact).toMatchObject({ state: 'excluded', ruleHits: [expect.any(String)] });
    expect((await stored('px-near')).moderation).toMatchObject({ state: 'excluded', ruleHits: exact?.ruleHits });
    expect((await stored('px-far')).moderation).toMatchObject({ state: 'none', ruleHits: [] });
  });

  it("an operator's full rescan catches documents changed straight in Elasticsearch with their old moderation copied along", async () => {
    const current = (await p.deps.rulesets.currentVersion()) as number;
    // Looks scanned and current, but its text was changed around ingest.
    await p.ctx.es.index({ index, id: 'copied', document: { ...post('copied', 'now selling cocaine here'), moderation: { normalizedText: 'lemon cake', scannedVersion: current, updatedAt: '2026-11-01T00:00:00.000Z', state: 'none', ruleHits: [] } }, refresh: true });
    expect((await lead('POST', '/v1/rules/backfill', { sweep: 'everything' })).body.error.field).toBe('/sweep');
    const started = await lead('POST', '/v1/rules/backfill', { sweep: 'all' });
    expect(started.status).toBe(202);
    const done = await jobDone(started.body.backfill.jobId);
    expect(done.progress.scanned).toBeGreaterThan(0);
    expect((await stored('copied')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['sale'] });
  });

  it('at boot, starts the backfill of a live version that never was back-filled', async () => {
    const { publisher } = p.deps;
    expect(await publisher.backfillIfBehind()).toBeUndefined();
    // An install upgraded from before every publish back-filled: no watermark.
    await p.ctx.redis.del(p.deps.rulesets.keys.backfillThrough);
    const current = (await p.deps.rulesets.currentVersion()) as number;
    await p.deps.backfill.queue.remove(`backfill-v${current}`);
    const started = await publisher.backfillIfBehind();
    expect(started).toMatchObject({ jobId: `backfill-v${current}` });
    await jobDone(`backfill-v${current}`);
    expect(await p.deps.rulesets.backfilledThrough()).toBe(current);
  });

  it('at boot, a changed normaliser starts one full rescan of the live version; a new install only records its version', async () => {
    const { publisher } = p.deps;
    const key = p.deps.rulesets.keys.normalizedWith;
    expect(await publisher.rescanIfNormalizerChanged(NORMALIZER_VERSION, true)).toBeUndefined();
    expect(await p.ctx.redis.get(key)).toBe(String(NORMALIZER_VERSION));
    expect(await publisher.rescanIfNormalizerChanged(NORMALIZER_VERSION, false)).toBeUndefined();
    // Documents stored with an older normaliser (text normalised the old way) are rescanned whole.
    await p.ctx.es.index({ index, id: 'old-normal', refresh: true, document: { id: 'old-normal', type: 'post', text: 'selling cocaine today', authorId: 'a', createdAt: new Date().toISOString(), moderation: { state: 'visible', normalizedText: 'stale form', scannedVersion: await p.deps.rulesets.currentVersion() } } });
    await p.ctx.redis.set(key, String(NORMALIZER_VERSION - 1));
    const current = (await p.deps.rulesets.currentVersion()) as number;
    const started = await publisher.rescanIfNormalizerChanged(NORMALIZER_VERSION, false);
    expect(started).toMatchObject({ jobId: `backfill-v${current}-normalizer-${NORMALIZER_VERSION}` });
    await jobDone(`backfill-v${current}-normalizer-${NORMALIZER_VERSION}`);
    expect((await stored('old-normal')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['sale'] });
    expect(await p.ctx.redis.get(key)).toBe(String(NORMALIZER_VERSION));
    expect(await publisher.rescanIfNormalizerChanged(NORMALIZER_VERSION, false)).toBeUndefined();
  });

  it('publishing a regex content rule re-scans every stored post and tags its matches; removing it re-scans and untags them', async () => {
    // Scanned already with the live version: only a full sweep would look at them again.
    const docs = [post('rx-vendor', 'Call 555-0199 for the good stuff'), post('rx-clean', 'Meeting at five, bring cake')];
    await p.ctx.es.bulk({ operations: docs.flatMap((doc) => [{ index: { _index: index, _id: doc.id } }, doc]), refresh: true });
    await lead('PUT', '/v1/rules/draft/rx-noop', { kind: 'term', pattern: 'zzqy', category: 'other', scope: ['query'], action: 'block_query' });
    const first = await lead('POST', '/v1/rules/publish', { note: 'scan the new posts' });
    await jobDone(first.body.backfill.jobId);
    expect((await stored('rx-vendor')).moderation).toMatchObject({ state: 'none', ruleHits: [], scannedVersion: first.body.version });

    // Elasticsearch cannot run RE2, so no apply pass can find the matches: the publish asks for a sweep of every post.
    const put = await lead('PUT', '/v1/rules/draft/rx-phone', { kind: 'regex', pattern: '\\b\\d{3} \\d{4}\\b', category: 'drugs', scope: ['content'], action: 'exclude' });
    expect(put.status).toBe(201);
    const pub = await lead('POST', '/v1/rules/publish', { note: 'vendor phone numbers' });
    expect(pub.status).toBe(201);
    expect((await p.deps.backfill.queue.getJob(pub.body.backfill.jobId as string))?.data).toMatchObject({ rulesetVersion: pub.body.version, sweep: 'all' });
    await jobDone(pub.body.backfill.jobId);
    expect((await stored('rx-vendor')).moderation).toMatchObject({ state: 'excluded', ruleHits: ['rx-phone'], scannedVersion: pub.body.version });
    expect((await stored('rx-clean')).moderation).toMatchObject({ state: 'none', ruleHits: [] });

    expect((await lead('DELETE', '/v1/rules/draft/rx-phone')).status).toBe(204);
    const removed = await lead('POST', '/v1/rules/publish', { note: 'phone rule withdrawn' });
    expect((await p.deps.backfill.queue.getJob(removed.body.backfill.jobId as string))?.data).toMatchObject({ sweep: 'all' });
    await jobDone(removed.body.backfill.jobId);
    expect((await stored('rx-vendor')).moderation).toMatchObject({ state: 'none', ruleHits: [], scannedVersion: removed.body.version });
  });
});
