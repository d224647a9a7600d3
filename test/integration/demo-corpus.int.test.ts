import { Client } from '@elastic/elasticsearch';
import { generateDemoCorpus } from '@takedown/shared';
import { shippedRules } from '@takedown/search-rules';
import { checkHidden } from '../../cli/src/demo-check';
import { eventually } from '../support/test-context';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startIngest, type IngestService } from '../support/ingest-service';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

const POSTS = 3000;

let p: Pipeline;
let ingest: IngestService;
let proxy: SearchProxy;

beforeAll(async () => {
  // The shipped lists, as `npm start` publishes them.
  p = await startPipeline('demo-corpus', { rules: shippedRules('2026-11-01T00:00:00.000Z') });
  ingest = await startIngest(p.ctx.config);
  proxy = await startSearchProxy(p.ctx.config);
}, 60_000);
afterAll(async () => {
  await proxy.stop();
  await ingest.stop();
  await p.stop();
});

describe('the demo corpus written through ingest, as npm start does', () => {
  it('hides every post a live content rule hides from every search, and queues them for review', async () => {
    const index = p.ctx.config.contentIndex;
    const writer = new Client({ node: ingest.url, auth: { bearer: p.tokens.ingest } });
    const corpus = generateDemoCorpus({ count: POSTS });
    const benign = new Set(corpus.filter((c) => c.kind === 'benign').map((c) => c.id));
    const posts = corpus.map(({ kind: _kind, ...doc }) => doc);
    const r = await writer.helpers.bulk({ datasource: posts, onDocument: (doc) => ({ index: { _index: index, _id: doc.id } }) });
    await writer.close();
    expect([r.successful, r.failed]).toEqual([POSTS, 0]);
    await p.ctx.es.indices.refresh({ index });

    const result = await checkHidden({ es: p.ctx.es, redis: p.ctx.redis, contentIndex: index, queuePrefix: p.ctx.config.queuePrefix, searchUrl: proxy.url, textProbes: 100 });
    console.log(`demo corpus through ingest: ${result.documents} posts, ${result.mustHide} hidden by the shipped lists, ${result.demoted} demoted, ${result.searches} searches, ${result.leaked.length} leaked`);
    expect(result.documents).toBe(POSTS);
    // The shipped lists hide sale offers (about 6 % of the demo corpus), nothing the generator meant as benign.
    expect(result.mustHide).toBeGreaterThan(POSTS * 0.04);
    expect(result.stale).toBe(0);
    expect(result.leaked).toEqual([]);
    const excluded = await p.ctx.es.search({ index, query: { term: { 'moderation.state': 'excluded' } }, size: POSTS, _source: false });
    expect(excluded.hits.hits).toHaveLength(result.mustHide);
    expect(excluded.hits.hits.filter((h) => benign.has(h._id as string))).toEqual([]);
    // Every hidden post waits for a moderator: flag_for_review held as exclude.
    await eventually(async () => (await p.deps.cases.caseCount()) === result.mustHide, 30_000);
  }, 120_000);
});
