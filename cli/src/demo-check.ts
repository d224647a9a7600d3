import { HIDDEN_STATES, RulesetStore, TokenStore, moderationKeys, rulesetKeys, scanFieldsOf, type ContentDocument, type ElasticsearchClient, type RedisClient } from '@takedown/shared';
import { ApiRefusal, unreachable } from './api-client';
import { compileStoredRuleset, contentState, scanContent, type Rule } from '@takedown/search-rules';

export interface HiddenCheckInput {
  es: ElasticsearchClient;
  redis: RedisClient;
  contentIndex: string;
  queuePrefix: string;
  /** The search service the platform searches through. */
  searchUrl: string;
  /** Documents whose text is also searched for, one query each (the ids query and the browse cover all of them). */
  textProbes?: number;
}

export interface HiddenCheckResult {
  rulesetVersion: number;
  documents: number;
  /** Documents the live rules (or a decision) say must never be returned to a caller of unknown country. */
  mustHide: number;
  /** Documents demoted by the live rules, nobody decided. */
  demoted: number;
  /** Documents whose stored state differs from what the live rules give (not scanned yet, or a backfill still running). */
  stale: number;
  /** Searches sent through the search service. */
  searches: number;
  /** Ids of documents that must be hidden and came back from a search. */
  leaked: string[];
}

type Doc = Partial<ContentDocument>;

/**
 * Checks that no document the live content rules hide (exclude,
 * auto_remove, flag_for_review held as exclude; or removed by a decision)
 * comes back from the search service: one ids query naming all of them,
 * a browse of the whole index (up to 10,000 hits), and a search for the
 * text of each of the first `textProbes`. Reads every document straight
 * from Elasticsearch and scans its text with the live ruleset to know what
 * the rules hide, rather than trust the state ingest stored (decisions it
 * takes as stored).
 */
export async function checkHidden(i: HiddenCheckInput): Promise<HiddenCheckResult> {
  const store = new RulesetStore(i.redis, rulesetKeys(i.queuePrefix));
  const live = await store.current();
  if (!live) throw new Error('no ruleset is published');
  const compiled = compileStoredRuleset(live, { trusted: true });

  const mustHide: { id: string; text: string }[] = [];
  let documents = 0;
  let demoted = 0;
  let stale = 0;
  let res = await i.es.search<Doc>({ index: i.contentIndex, scroll: '1m', size: 1000, sort: ['_doc'], _source: ['text', 'lang', 'media', 'media.sha256', 'moderation.state', 'moderation.decisionId', 'moderation.placeholder'] });
  try {
    while (res.hits.hits.length > 0) {
      for (const h of res.hits.hits) {
        const doc = h._source ?? {};
        if (doc.moderation?.placeholder) continue;
        documents++;
        const scan = scanContent(compiled, scanFieldsOf(doc as Record<string, unknown>));
        const verdict = contentState(scan.ruleHits.map((id) => compiled.byId.get(id)).filter((r): r is Rule => r !== undefined));
        const decided = doc.moderation?.decisionId ? doc.moderation.state : undefined;
        const state = decided ?? verdict.state;
        // The probes carry no country: a post restricted anywhere must not come back either.
        if ((HIDDEN_STATES as readonly string[]).includes(state ?? 'none') || state === 'restricted') mustHide.push({ id: h._id as string, text: doc.text ?? '' });
        else if (state === 'suspected') demoted++;
        if (!decided && (doc.moderation?.state ?? 'none') !== verdict.state) stale++;
      }
      if (!res._scroll_id) break;
      res = await i.es.scroll<Doc>({ scroll_id: res._scroll_id, scroll: '1m' });
    }
  } finally {
    if (res._scroll_id) await i.es.clearScroll({ scroll_id: res._scroll_id }).catch(() => undefined);
  }

  // A token of its own for the probes, revoked at the end.
  const tokens = new TokenStore(i.redis, moderationKeys(i.queuePrefix));
  const name = `demo-check-${Date.now().toString(36)}`;
  const { token } = await tokens.create({ role: 'search', name, createdBy: 'takedown-demo-check' });
  const hidden = new Set(mustHide.map((d) => d.id));
  const leaked = new Set<string>();
  let searches = 0;
  const probe = async (body: object) => {
    searches++;
    let r: Response;
    let text: string;
    try {
      r = await fetch(`${i.searchUrl.replace(/\/$/, '')}/${i.contentIndex}/_search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      text = await r.text();
    } catch (err) {
      throw unreachable('the search service', i.searchUrl, err);
    }
    // A 502/503/504 is classified as unavailable (exit 3), any other refusal as a failure.
    if (r.status !== 200) throw new ApiRefusal(r.status, `search_${r.status}`, `search service answered ${r.status}: ${text.slice(0, 300)}`);
    const out = JSON.parse(text) as { hits?: { hits?: { _id?: string }[] } };
    for (const h of out.hits?.hits ?? []) if (hidden.has(h._id as string)) leaked.add(h._id as string);
  };
  try {
    for (let k = 0; k < mustHide.length; k += 1000) {
      const ids = mustHide.slice(k, k + 1000).map((d) => d.id);
      await probe({ query: { ids: { values: ids } }, size: ids.length });
    }
    for (let from = 0; from < Math.min(documents, 10_000); from += 1000) await probe({ query: { match_all: {} }, from, size: 1000, sort: [{ createdAt: 'desc' }] });
    for (const d of mustHide.slice(0, i.textProbes ?? 200)) if (d.text) await probe({ query: { match: { text: d.text.slice(0, 500) } }, size: 50 });
  } finally {
    await tokens.revoke(name, 'takedown-demo-check');
  }
  return { rulesetVersion: live.version, documents, mustHide: mustHide.length, demoted, stale, searches, leaked: [...leaked].sort() };
}
