import type { Client, estypes } from '@elastic/elasticsearch';
import type { Job } from 'bullmq';
import { compileStoredRuleset, contentRuleQuery, isBackfillRule, type Rule } from '@takedown/search-rules';
import type { BackfillJob, ContentDocument, ModerationState, Redis, RulesetStore } from '@takedown/shared';

export interface BackfillDeps {
  es: Client;
  redis: Redis;
  rulesets: RulesetStore;
  contentIndex: string;
  docsPerSec: number;
  slices: number;
  now?: () => number;
}

export interface BackfillProgress {
  phase: 'counting' | 'clearing' | 'applying' | 'done';
  done: number;
  total: number;
  tagged: number;
  cleared: number;
  conflicts: number;
  ratePerSec: number;
  etaSeconds: number | null;
}

type Doc = { moderation?: ContentDocument['moderation'] };
type Hit = estypes.SearchHit<Doc>;

/** The state rules give a document nobody has decided on: the strongest action among its rule hits. */
export function ruleState(ruleIds: readonly string[], rulesById: ReadonlyMap<string, Rule>): ModerationState {
  let state: ModerationState = 'none';
  for (const id of ruleIds) {
    const action = rulesById.get(id)?.action;
    if (action === 'exclude' || action === 'auto_remove') return 'removed';
    if (action === 'demote' || action === 'flag_for_review') state = 'suspected';
  }
  return state;
}

/**
 * Clears the tags of `clear` rules, then tags every document the `apply`
 * rules match (the same query previews count with), writing
 * moderation.ruleHits and, where no decision was ever made on the document,
 * the state the rules give it. Sliced scrolls in parallel, throttled to
 * docsPerSec, optimistic concurrency per document (a document changed
 * meanwhile is skipped: conflicts=proceed). Once done, the rules leave the
 * pending set the search service filters with.
 */
export async function runBackfill(deps: BackfillDeps, data: BackfillJob, job?: Job): Promise<BackfillProgress> {
  const now = deps.now ?? Date.now;
  const stored = await deps.rulesets.get(data.rulesetVersion);
  if (!stored) throw new Error(`ruleset version ${data.rulesetVersion} not found`);
  const compiled = compileStoredRuleset(stored, { trusted: true });
  const rulesById = compiled.byId;
  const applyRules = data.apply.map((id) => rulesById.get(id)).filter((r): r is Rule => r !== undefined && isBackfillRule(r));

  const clearQuery: estypes.QueryDslQueryContainer | undefined = data.clear.length > 0 ? { terms: { 'moderation.ruleHits': data.clear } } : undefined;
  const applyQuery: estypes.QueryDslQueryContainer | undefined =
    applyRules.length > 0
      ? {
          bool: {
            // Named clauses (_name = rule id, inside the bool) say which rules matched each hit.
            should: applyRules.map((r) => {
              const q = contentRuleQuery(r, compiled.normalizedPatterns[compiled.indexById.get(r.id) as number] ?? '') as { bool: Record<string, unknown> };
              return { bool: { ...q.bool, _name: r.id } } as estypes.QueryDslQueryContainer;
            }),
            minimum_should_match: 1,
          },
        }
      : undefined;

  const progress: BackfillProgress = { phase: 'counting', done: 0, total: 0, tagged: 0, cleared: 0, conflicts: 0, ratePerSec: 0, etaSeconds: null };
  const count = async (q?: estypes.QueryDslQueryContainer) => (q ? (await deps.es.count({ index: deps.contentIndex, query: q })).count : 0);
  progress.total = (await count(clearQuery)) + (await count(applyQuery));
  const started = now();
  const progressKey = deps.rulesets.keys.backfillProgress(String(job?.id ?? `v${data.rulesetVersion}`));
  const report = async () => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    progress.ratePerSec = Math.round(progress.done / seconds);
    progress.etaSeconds = progress.ratePerSec > 0 ? Math.round((progress.total - progress.done) / progress.ratePerSec) : null;
    await deps.redis.set(progressKey, JSON.stringify({ ...progress, updatedAt: new Date(now()).toISOString() }), 'EX', 7 * 86400);
    await job?.updateProgress({ ...progress });
  };
  await report();

  // Throttle shared by the slices: at most docsPerSec documents per second.
  let budgetStart = now();
  let budgetUsed = 0;
  const throttle = async (n: number) => {
    budgetUsed += n;
    const due = budgetStart + (budgetUsed / deps.docsPerSec) * 1000;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (now() - budgetStart > 10_000) {
      budgetStart = now();
      budgetUsed = 0;
    }
  };

  const scan = async (query: estypes.QueryDslQueryContainer, onPage: (hits: Hit[]) => object[]) => {
    await Promise.all(
      Array.from({ length: deps.slices }, async (_, slice) => {
        let res = await deps.es.search<Doc>({
          index: deps.contentIndex,
          scroll: '2m',
          size: 500,
          query,
          sort: ['_doc'],
          seq_no_primary_term: true,
          _source: ['moderation'],
          ...(deps.slices > 1 ? { slice: { id: slice, max: deps.slices } } : {}),
        });
        try {
          while (res.hits.hits.length > 0) {
            const hits = res.hits.hits;
            await throttle(hits.length);
            const operations = onPage(hits);
            if (operations.length > 0) {
              const bulk = await deps.es.bulk({ operations });
              for (const item of bulk.items) if (item.update?.status === 409) progress.conflicts++;
            }
            progress.done += hits.length;
            await report();
            if (!res._scroll_id) break;
            res = await deps.es.scroll<Doc>({ scroll_id: res._scroll_id, scroll: '2m' });
          }
        } finally {
          if (res._scroll_id) await deps.es.clearScroll({ scroll_id: res._scroll_id }).catch(() => undefined);
        }
      }),
    );
  };

  const update = (h: Hit, ruleHits: string[]) => {
    const m = h._source?.moderation ?? {};
    const decided = Boolean(m.decisionId);
    const doc = { moderation: { ...m, ruleHits, ...(decided ? {} : { state: ruleState(ruleHits, rulesById) }), updatedAt: new Date(now()).toISOString() } };
    return [{ update: { _index: h._index, _id: h._id as string, if_seq_no: h._seq_no, if_primary_term: h._primary_term } }, { doc }];
  };

  if (clearQuery) {
    progress.phase = 'clearing';
    const clearing = new Set(data.clear);
    await scan(clearQuery, (hits) =>
      hits.flatMap((h) => {
        progress.cleared++;
        return update(h, (h._source?.moderation?.ruleHits ?? []).filter((id) => !clearing.has(id)));
      }),
    );
  }
  if (applyQuery) {
    progress.phase = 'applying';
    await scan(applyQuery, (hits) =>
      hits.flatMap((h) => {
        const matched = h.matched_queries as string[] | undefined;
        const existing = h._source?.moderation?.ruleHits ?? [];
        const ruleHits = [...new Set([...existing, ...(matched ?? [])])].sort();
        if (ruleHits.length === existing.length) return [];
        progress.tagged++;
        return update(h, ruleHits);
      }),
    );
  }

  // The tags must be searchable before query-time filtering stops, or the
  // documents would show for up to a refresh interval.
  await deps.es.indices.refresh({ index: deps.contentIndex });
  // Done: these rules no longer need query-time filtering (unless a newer publish made them pending again).
  const pending = await deps.redis.hgetall(deps.rulesets.keys.backfillPending);
  const finished = data.apply.filter((id) => pending[id] === String(data.rulesetVersion));
  if (finished.length > 0) await deps.redis.hdel(deps.rulesets.keys.backfillPending, ...finished);
  progress.phase = 'done';
  progress.etaSeconds = 0;
  await report();
  return progress;
}
