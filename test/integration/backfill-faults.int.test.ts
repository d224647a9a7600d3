import { runBackfill, buildBackfillDeps, type BackfillFaultPoint } from '@takedown/backfill-worker';
import { normalize } from '@takedown/search-rules';
import type { BackfillJob, ContentDocument } from '@takedown/shared';
import { startPipeline, type Pipeline } from '../support/pipeline';

// Faults are injected at a named point of the backfill (deps.faults), against
// the real Elasticsearch: a document changed under the bulk (a 409), and
// writes refused by an index write block (a 403 per item, not a 409).

let p: Pipeline;
let backfill: Awaited<ReturnType<typeof buildBackfillDeps>>;
let index: string;

beforeAll(async () => {
  p = await startPipeline('backfill-faults');
  index = p.ctx.config.contentIndex;
  backfill = await buildBackfillDeps({ ...p.ctx.config, docsPerSec: 100_000, slices: 1, settleMs: 0 });
}, 60_000);
afterAll(async () => {
  await p.ctx.es.indices.putSettings({ index, settings: { 'index.blocks.write': false } }).catch(() => undefined);
  await backfill.close();
  await p.stop();
});

const lead = (method: string, path: string, body?: unknown) => p.call(method, path, p.tokens.lead, body);
const setWriteBlock = (on: boolean) => p.ctx.es.indices.putSettings({ index, settings: { 'index.blocks.write': on } });

/** `n` posts carrying `word`, stored as ingest stores them (scanned with the live version, untagged). */
async function seed(word: string, n: number): Promise<string[]> {
  const current = (await p.deps.rulesets.currentVersion()) as number;
  const ids = Array.from({ length: n }, (_, i) => `${word}-${i}`);
  const operations = ids.flatMap((id) => {
    const text = `${word} pills for sale, post ${id}`;
    const doc: ContentDocument = { id, type: 'post', text, authorId: 'a1', lang: 'en', createdAt: '2026-11-01T00:00:00Z', moderation: { normalizedText: normalize(text), scannedVersion: current, updatedAt: '2026-11-01T00:00:00Z', state: 'none', ruleHits: [] } };
    return [{ index: { _index: index, _id: id } }, doc];
  });
  await p.ctx.es.bulk({ operations, refresh: true });
  return ids;
}

/** Publishes an excluding rule on `word` and returns the job the publish queued (no worker runs it here). */
async function publishRule(word: string): Promise<{ ruleId: string; data: BackfillJob }> {
  const ruleId = `${word}-rule`;
  expect((await lead('PUT', `/v1/rules/draft/${ruleId}`, { kind: 'phrase', pattern: `${word} pills`, category: 'drugs', scope: ['content'], action: 'exclude' })).status).toBe(201);
  const pub = await lead('POST', '/v1/rules/publish', { note: word });
  expect(pub.status).toBe(201);
  const job = await p.deps.backfill.queue.getJob(pub.body.backfill.jobId);
  await job!.remove();
  expect(await p.ctx.redis.hget(p.deps.rulesets.keys.backfillPending, ruleId)).toBe(String(pub.body.version));
  return { ruleId, data: job!.data as BackfillJob };
}

/** How many of the posts carrying `word` lack the rule's tag. */
const untagged = async (word: string, ruleId: string) => {
  await p.ctx.es.indices.refresh({ index });
  return (await p.ctx.es.count({ index, query: { bool: { filter: [{ prefix: { id: `${word}-` } }], must_not: [{ term: { 'moderation.ruleHits': ruleId } }] } } })).count;
};
const pending = () => p.ctx.redis.hkeys(p.deps.rulesets.keys.backfillPending);

describe('the backfill never drops a pending rule while a matching document is untagged', () => {
  it('re-reads documents changed under its bulk (409) and tags them', async () => {
    const ids = await seed('fltconf', 30);
    const { ruleId, data } = await publishRule('fltconf');
    let fired = false;
    const faults = {
      async beforeBulk(point: BackfillFaultPoint) {
        if (fired || point.pass !== 'apply') return;
        fired = true;
        // A write lands between the scroll's read and the bulk: the bulk's seq_no no longer matches.
        for (const id of ids.slice(0, 5)) await p.ctx.es.update({ index, id, doc: { authorId: 'a2' } });
      },
    };
    const progress = await runBackfill({ ...backfill, faults }, data);
    expect(fired).toBe(true);
    expect(progress.phase).toBe('done');
    expect(progress.conflicts).toBeGreaterThanOrEqual(5);
    expect(await untagged('fltconf', ruleId)).toBe(0);
    expect(await pending()).not.toContain(ruleId);
  });

  it('retries writes Elasticsearch refused with an error other than 409', async () => {
    await seed('fltblock', 30);
    const { ruleId, data } = await publishRule('fltblock');
    const seen: BackfillFaultPoint[] = [];
    const faults = {
      async beforeBulk(point: BackfillFaultPoint) {
        if (point.pass !== 'apply') return;
        seen.push(point);
        // The first write is refused (index write block: 403 per item), the retry goes through.
        await setWriteBlock(seen.length === 1);
      },
    };
    const progress = await runBackfill({ ...backfill, faults }, data);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(progress.phase).toBe('done');
    expect(await untagged('fltblock', ruleId)).toBe(0);
    expect(await pending()).not.toContain(ruleId);
  });

  it('keeps the rule pending (the search keeps filtering) and the watermark where it was when the writes keep failing', async () => {
    await seed('fltdown', 10);
    const { ruleId, data } = await publishRule('fltdown');
    const through = await p.deps.rulesets.backfilledThrough();
    const faults = {
      async beforeBulk(point: BackfillFaultPoint) {
        if (point.pass === 'apply') await setWriteBlock(true);
      },
    };
    try {
      await expect(runBackfill({ ...backfill, faults, retry: { rounds: 2, backoffMs: 10 } }, data)).rejects.toThrow(/untagged|failed/);
    } finally {
      await setWriteBlock(false);
    }
    expect(await untagged('fltdown', ruleId)).toBe(10);
    expect(await pending()).toContain(ruleId);
    expect(await p.deps.rulesets.backfilledThrough()).toBe(through);
    // Once Elasticsearch takes writes again, the job's retry finishes it.
    const progress = await runBackfill(backfill, data);
    expect(progress.phase).toBe('done');
    expect(await untagged('fltdown', ruleId)).toBe(0);
    expect(await pending()).not.toContain(ruleId);
  });
});
