// npm run bench -- ingest-mapping      (needs-servers: real Elasticsearch)
// What the stored representation costs Elasticsearch: the same ~1 KB posts
// bulk-indexed (1,000 per bulk, two in flight) into content indices whose
// only difference is how moderation.normalizedText is mapped, or whether it
// is there at all, beside the plain posts (the baseline, same run). Seven
// rounds rotating the order, the first a warm-up; prints each variant's
// median docs/s and its ratio to plain. Ends with one JSON line.
import { Agent } from 'node:http';
import { contentIndexDefinition, elasticsearchNodes } from '@takedown/shared';
import { shippedRules } from '@takedown/search-rules';
import { benchEnv, median, postNdjson, round, runBench } from './bench-env';
import { ingestPosts } from './ingest-posts';

const DOCS_PER_ROUND = 20_000;
const BATCH = 1_000;
const IN_FLIGHT = 2;
const ROUNDS = 7;

type Definition = ReturnType<typeof contentIndexDefinition>;
type NormalizedField = Record<string, unknown>;

/** A content index definition with normalizedText mapped by `change`. */
function variant(change: (field: NormalizedField, def: Definition) => void): Definition {
  const def = structuredClone(contentIndexDefinition(0));
  const moderation = def.mappings.properties?.['moderation'] as { properties: Record<string, NormalizedField> };
  change(moderation.properties['normalizedText'] as NormalizedField, def);
  return def;
}

/** name → mapping, and which fields the documents carry. */
const VARIANTS: Record<string, { def: Definition; docs: 'plain' | 'stored' | 'withoutNormalized' }> = {
  plain: { def: variant(() => undefined), docs: 'plain' },
  stored: { def: variant(() => undefined), docs: 'stored' },
  'no-norms': { def: variant((f) => (f['norms'] = false)), docs: 'stored' },
  'docs-only': { def: variant((f) => Object.assign(f, { norms: false, index_options: 'docs' })), docs: 'stored' },
  'source-excluded': { def: variant((_f, d) => Object.assign(d.mappings, { _source: { excludes: ['moderation.normalizedText'] } })), docs: 'stored' },
  'not-indexed': { def: variant((f) => (f['index'] = false)), docs: 'stored' },
  'without-normalized': { def: variant(() => undefined), docs: 'withoutNormalized' },
};

async function main(): Promise<void> {
  const env = benchEnv('ingest-mapping');
  const esUrl = new URL(elasticsearchNodes(env.config.elasticsearch.url)[0] ?? env.config.elasticsearch.url);
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const target = { host: esUrl.hostname, port: Number(esUrl.port || 9200), ...(env.config.elasticsearch.apiKey ? { auth: `ApiKey ${env.config.elasticsearch.apiKey}` } : {}) };
  const bulk = async (body: string) => {
    const res = await postNdjson(agent, target, '/_bulk', body);
    if (res.status !== 200 || res.body.includes('"errors":true')) throw new Error(`bulk answered ${res.status}: ${res.body.slice(0, 300)}`);
  };

  const at = new Date().toISOString();
  const { posts, moderationOf } = ingestPosts(shippedRules(at), at);

  const indexOf = (name: string) => `${env.config.indexPrefix}-${name}`;
  for (const [name, v] of Object.entries(VARIANTS)) await env.es.indices.create({ index: indexOf(name), ...v.def });
  const results: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((n) => [n, []]));
  const names = Object.keys(VARIANTS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
      const { docs } = VARIANTS[name]!;
      const bodies: string[] = [];
      for (let start = 0; start < DOCS_PER_ROUND; start += BATCH) {
        const lines: string[] = [];
        for (let i = start; i < start + BATCH; i++) {
          const post = posts[i % posts.length]!;
          const { normalizedText: _n, ...withoutNormalized } = moderationOf[i % posts.length]!;
          const source = docs === 'plain' ? post : { ...post, moderation: docs === 'stored' ? moderationOf[i % posts.length] : withoutNormalized };
          lines.push(JSON.stringify({ index: { _index: indexOf(name), _id: `${r}-${i}` } }), JSON.stringify({ ...source, id: `${r}-${i}` }));
        }
        bodies.push(`${lines.join('\n')}\n`);
      }
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next < bodies.length) await bulk(bodies[next++] as string);
      }));
      if (r > 0) results[name]!.push(DOCS_PER_ROUND / ((performance.now() - t0) / 1000));
    }
  }
  const plain = median(results['plain']!);
  const out: Record<string, { docsPerSec: number; ratio: number }> = {};
  for (const name of names) {
    const m = median(results[name]!);
    out[name] = { docsPerSec: round(m, 0), ratio: round(m / plain) };
    console.log(`${name.padEnd(20)} ${m.toFixed(0).padStart(6)} docs/s  ${(m / plain).toFixed(2)} × plain  (rounds: ${results[name]!.map((x) => x.toFixed(0)).join(', ')})`);
  }
  console.log(JSON.stringify({ bench: 'ingest-mapping', docsPerRound: DOCS_PER_ROUND, batch: BATCH, inFlight: IN_FLIGHT, variants: out }));
  agent.destroy();
  await env.cleanup();
}

runBench(main);
