// Issue 15: rule preview, import and publish run their CPU-heavy work in a
// rule worker, so the API keeps answering claims, heartbeats and /healthz.
//
// A TaskHold holds each rule task inside the worker until the test releases
// it. Had the work stayed on the main thread (the code before this change),
// the same hold would block the API's only thread, which is also this test's:
// no claim, heartbeat or /healthz could be answered and nothing could release
// the hold, so every test here would fail by timeout. No timing is asserted.
import fs from 'node:fs';
import path from 'node:path';
import { caseIdFor } from '@takedown/shared';
import { TaskHold } from '@takedown/search-rules';
import { pdqOfImage } from '@takedown/moderation-api';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';

let p: Pipeline;
const hold = new TaskHold();
let held = 0;

beforeAll(async () => {
  hold.release();
  // One worker and no waiting room: a second rule task while one is held is refused.
  p = await startPipeline('rule-offload', { ruleTaskHold: hold.buffer, ruleWorkers: { size: 1, maxQueued: 0 } });
  await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('ro-1'));
  await eventually(() => p.deps.cases.get(caseIdFor('ro-1')));
  // Searches the platform made (newest first, as the search service logs them).
  await p.ctx.redis.lpush(p.deps.rulesets.keys.queryLog, 'tomato soup', 'kratom near me', 'buy kratom online');
  const put = await p.call('PUT', '/v1/rules/draft/kratom-q', p.tokens.lead, { kind: 'term', pattern: 'kratom', category: 'drugs', scope: ['query'], action: 'block_query' });
  expect(put.status).toBe(201);
});
afterAll(async () => {
  hold.release();
  await p.stop();
});

type Answer = Awaited<ReturnType<Pipeline['call']>>;

/** Starts a rule request and waits until its task is held in the worker (failing at once if it answers instead). */
async function startedAndHeld(request: Promise<Answer>): Promise<{ done: () => boolean; result: Promise<Answer> }> {
  let done = false;
  const result = request.finally(() => (done = true));
  await Promise.race([
    hold.reached(++held),
    result.then((r) => {
      throw new Error(`answered before its task reached the rule worker: ${r.status} ${JSON.stringify(r.body)}`);
    }),
  ]);
  return { done: () => done, result };
}

describe('rule work off the event loop', () => {
  it('a preview held inside the rule worker leaves claims, heartbeats and /healthz answering, then completes with the same results', async () => {
    hold.arm();
    const preview = await startedAndHeld(p.call('GET', '/v1/rules/preview', p.tokens.lead));

    // The preview is inside the worker: the API's event loop is free.
    expect((await p.call('GET', '/healthz')).status).toBe(200);
    const claimed = await claimCase(p, 'ro-1');
    const beat = await p.call('POST', `/v1/review/${claimed.case.id}/heartbeat`, p.tokens.moderator, { leaseToken: claimed.lease.token });
    expect(beat.status).toBe(200);
    // No room to wait for the busy worker: refused at once, with Retry-After, not queued without bound.
    const busy = await p.call('GET', '/v1/rules/preview', p.tokens.lead);
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('rule_workers_busy');
    expect(busy.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(preview.done()).toBe(false);

    hold.release();
    const r = await preview.result;
    expect(r.status).toBe(200);
    expect(r.body.diff.added).toEqual(['kratom-q']);
    expect(r.body.queriesExamined).toBe(3);
    expect(r.body.rules).toEqual([
      expect.objectContaining({ ruleId: 'kratom-q', change: 'added', queryMatches: 2, contentMatches: null, querySamples: expect.arrayContaining(['buy kratom online', 'kratom near me']) }),
    ]);
    await p.call('POST', `/v1/review/${claimed.case.id}/release`, p.tokens.moderator, { leaseToken: claimed.lease.token });
  });

  it('an import held inside the rule worker leaves the API answering; a bad file is still refused row by row', async () => {
    hold.arm();
    const csv = ['id,kind,pattern,category,scope,action', 'ro-a,term,mitragynine,drugs,query,block_query', 'ro-b,phrase,kratom capsules,drugs,content,flag_for_review'].join('\n');
    const imp = await startedAndHeld(p.call('POST', '/v1/rules/draft/import', p.tokens.lead, { format: 'csv', content: csv }));
    expect((await p.call('GET', '/healthz')).status).toBe(200);
    // Drafts are read meanwhile; nothing of the held import is in yet.
    const draft = (await p.call('GET', '/v1/rules/draft', p.tokens.lead)).body.rules.map((x: { id: string }) => x.id);
    expect(draft).toContain('kratom-q');
    expect(draft).not.toContain('ro-a');
    expect(imp.done()).toBe(false);
    hold.release();
    const r = await imp.result;
    expect(r.status).toBe(200);
    expect(r.body.imported).toBe(2);

    const bad = await p.call('POST', '/v1/rules/draft/import', p.tokens.lead, { format: 'csv', content: 'id,kind,pattern,category,scope,action\nk2,term,mitragynine,drugz,query,block_query\n' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('import_refused');
    expect(bad.body.error.details.problems).toEqual([{ line: 2, field: 'category', message: expect.any(String) }]);
  });

  it('a publish checks the draft in the rule worker: a held publish leaves the API answering, then publishes the diff', async () => {
    hold.arm();
    const pub = await startedAndHeld(p.call('POST', '/v1/rules/publish', p.tokens.lead, { note: 'kratom' }));
    expect((await p.call('GET', '/healthz')).status).toBe(200);
    expect(pub.done()).toBe(false);
    hold.release();
    const r = await pub.result;
    expect(r.status).toBe(201);
    expect([...r.body.diff.added].sort()).toEqual(['kratom-q', 'ro-a', 'ro-b']);
    // Nothing changed since: the check runs again and refuses.
    expect((await p.call('POST', '/v1/rules/publish', p.tokens.lead, {})).status).toBe(409);
  });

  // Last: the media tasks that queue behind the held one pass the hold later, so `held` no longer counts them.
  it('image hashing runs in its own worker thread: while one is held the API answers, a fifth image in flight is refused with 503, and the held ones finish with the reference hash', async () => {
    const image = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'pdq', 'bridge-1-original.jpg'));
    const expected = await pdqOfImage(image);
    const body = { image: image.toString('base64') };
    hold.arm();
    const first = await startedAndHeld(p.call('POST', '/v1/media/pdq', p.tokens.service, body));
    // The rule worker is a different thread: rule work is not stuck behind images.
    expect((await p.call('GET', '/healthz')).status).toBe(200);
    const started: Promise<Answer>[] = [first.result];
    let refused: Answer | undefined;
    // Each probe either joins the images in flight (the worker is held, so it stays) or is refused once 4 are.
    await eventually(async () => {
      const probe = p.call('POST', '/v1/media/pdq', p.tokens.service, body);
      const r = await Promise.race([probe, new Promise<undefined>((resolve) => setTimeout(resolve, 1000, undefined))]);
      if (r?.status === 503) return (refused = r);
      started.push(probe);
      return undefined;
    });
    expect(refused?.body.error.code).toBe('media_hashing_busy');
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(first.done()).toBe(false);
    hold.release();
    const answers = await Promise.all(started);
    // A probe slower than the race above may have been refused too; every other image is hashed, at most 4 of them.
    const hashed = answers.filter((r) => r.status === 200);
    expect(answers.filter((r) => r.status !== 200).map((r) => r.body.error?.code)).toEqual(answers.filter((r) => r.status !== 200).map(() => 'media_hashing_busy'));
    expect(answers[0]?.status).toBe(200);
    expect(hashed.length).toBeLessThanOrEqual(4);
    for (const r of hashed) expect(r.body).toEqual({ pdq: expected.pdq, quality: expected.quality, width: expected.width, height: expected.height });
  });
});
