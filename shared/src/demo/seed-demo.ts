import type { Client } from '@elastic/elasticsearch';
import { ensureContentIndex } from '../indices/ensure-index';
import { generateDemoCorpus, type DemoPost } from './demo-corpus';

export interface SeedResult {
  index: string;
  indexed: number;
  skipped: boolean;
}

/**
 * Creates the content index and fills it with the demo corpus. Idempotent:
 * documents keep their ids, and a corpus already present is left alone, so
 * moderation state from an earlier session survives a restart.
 */
export async function seedDemoCorpus(
  es: Client,
  index: string,
  opts: { count: number; replicas: number; seed?: number },
  transform: (post: DemoPost) => Record<string, unknown> = stripKind,
): Promise<SeedResult> {
  await ensureContentIndex(es, index, opts.replicas);
  const { count } = await es.count({ index });
  if (count >= opts.count) return { index, indexed: 0, skipped: true };
  const posts = generateDemoCorpus({ count: opts.count, seed: opts.seed });
  const batch = 1000;
  for (let i = 0; i < posts.length; i += batch) {
    const operations = posts
      .slice(i, i + batch)
      .flatMap((p) => [{ index: { _index: index, _id: p.id } }, transform(p)]);
    const res = await es.bulk({ operations });
    if (res.errors) {
      const first = res.items.find((it) => it.index?.error)?.index?.error;
      throw new Error(`demo seeding failed: ${first?.type ?? 'unknown'}: ${first?.reason ?? ''}`);
    }
  }
  await es.indices.refresh({ index });
  return { index, indexed: posts.length, skipped: false };
}

function stripKind({ kind: _kind, ...doc }: DemoPost): Record<string, unknown> {
  return doc;
}
