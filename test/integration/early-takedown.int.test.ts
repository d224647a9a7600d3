import { caseIdFor } from '@takedown/shared';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { eventually } from '../support/test-context';

/**
 * A removal hides the post from every search as soon as the decision is
 * accepted: the API announces it on the takedown channel when it records
 * it, before the actions worker has written the document. Here the actions
 * worker is paused, so only the early announcement can hide the post.
 */
let p: Pipeline;
let proxy: SearchProxy;

beforeAll(async () => {
  p = await startPipeline('early-takedown');
  proxy = await startSearchProxy(p.ctx.config);
  await p.ctx.es.index({
    index: p.ctx.config.contentIndex,
    id: 'early-1',
    document: { id: 'early-1', type: 'post', text: 'quiet harbour sunset photos', lang: 'en', authorId: 'a-early', createdAt: '2026-11-01T00:00:00.000Z' },
    refresh: true,
  });
});
afterAll(async () => {
  await proxy.stop();
  await p.stop();
});

const hits = async (): Promise<string[]> => {
  const res = await fetch(`${proxy.url}/${p.ctx.config.contentIndex}/_search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: { match: { text: 'harbour sunset' } } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id);
};

it('a removal is invisible through the search service once the decision is accepted, before the actions worker writes it', async () => {
  expect(await hits()).toContain('early-1');
  expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('early-1', { reason: 'fraud' }))).status).toBe(202);
  const caseId = caseIdFor('early-1');
  await eventually(() => p.deps.cases.get(caseId));
  await p.actions.pause();
  try {
    const held = await claimCase(p, 'early-1', p.tokens.moderator, 'default');
    const decided = await p.call('POST', `/v1/review/${caseId}/decision`, p.tokens.moderator, { leaseToken: held.lease.token, action: 'remove', category: 'fraud', legalGround: 'Fraud (example statute)' });
    expect(decided.status).toBe(201);
    // Pub/sub delivery to the tracker is asynchronous but needs no document write: the worker is paused.
    await eventually(async () => !(await hits()).includes('early-1'));
    const doc = await p.ctx.es.get<{ moderation?: { state?: string } }>({ index: p.ctx.config.contentIndex, id: 'early-1' });
    expect(doc._source?.moderation?.state).not.toBe('removed');
  } finally {
    p.actions.resume();
  }
  // The worker then writes it, and the post stays hidden.
  await eventually(async () => (await p.ctx.es.get<{ moderation?: { state?: string } }>({ index: p.ctx.config.contentIndex, id: 'early-1' }))._source?.moderation?.state === 'removed');
  expect(await hits()).not.toContain('early-1');
});
