import type { Client, estypes } from '@elastic/elasticsearch';
import { TakedownError, UnavailableError, ValidationError } from '../errors/takedown-error';
import { periodBounds, type SignInPeriod } from './sign-in-period';
import type { HeldRange, PhoneRecord, SignIn, SubscriberSource, TargetResolution } from './subscriber-source';
import { normalizeTarget, type SubscriberTarget } from './subscriber-target';

export interface ElasticsearchSubscriberSourceOptions {
  accountsIndex: string;
  /** An index, alias or pattern. */
  signInsIndex: string;
  /** The platform's content index: a content-id target names the post's author. */
  contentIndex: string;
  /** Per request to Elasticsearch. */
  timeoutMs?: number;
  /** Accounts one call may name; a request has at most 50 targets, a phone number a few accounts each. */
  maxAccounts?: number;
}

/** The largest page Elasticsearch returns without raising index.max_result_window. */
const MAX_PAGE = 10_000;
/** How long a point in time stays open between two pages. */
const PIT_KEEP_ALIVE = '2m';

/**
 * SubscriberSource over the platform's accounts and sign-ins indices.
 *
 * Data minimisation by construction: every request names the fields it
 * reads (from accounts, `_source` includes of accountId, phone and
 * phoneCountry; from sign-ins, the sort values, i.e. doc values, of
 * accountId, at and ip; from the content index, a post's authorId), so no
 * other field ever reaches this process. A username is only ever a query term; which target
 * an account matched is told by named queries, not by reading the field.
 *
 * A missing index is an outage, never "no data": answering an order with
 * "nothing held" because of a wrong index name would be a false statement.
 */
export class ElasticsearchSubscriberSource implements SubscriberSource {
  private readonly timeoutMs: number;
  private readonly maxAccounts: number;

  constructor(
    private readonly es: Client,
    private readonly opts: ElasticsearchSubscriberSourceOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxAccounts = opts.maxAccounts ?? 1000;
  }

  async resolveTargets(targets: readonly SubscriberTarget[]): Promise<TargetResolution[]> {
    if (targets.length > this.maxAccounts) throw new ValidationError(`at most ${this.maxAccounts} targets at once`, '/targets');
    const out: (TargetResolution | undefined)[] = targets.map(() => undefined);
    const clauses: estypes.QueryDslQueryContainer[] = [];
    const contentIds = new Map<string, number[]>();
    for (const [i, target] of targets.entries()) {
      const n = normalizeTarget(target);
      if (!n.ok) {
        out[i] = { target, status: 'invalid', reason: n.reason };
        continue;
      }
      const name = `t${i}`;
      if (target.kind === 'account_id') clauses.push({ term: { accountId: { value: n.value, _name: name } } });
      else if (target.kind === 'phone_number') clauses.push({ term: { phone: { value: n.value, _name: name } } });
      // Platforms treat usernames as case-insensitive; every account that matches is listed for the officer to judge.
      else if (target.kind === 'username') clauses.push({ term: { username: { value: n.value, case_insensitive: true, _name: name } } });
      else contentIds.set(n.value, [...(contentIds.get(n.value) ?? []), i]);
    }
    for (const [contentId, authorId] of await this.authorsOf([...contentIds.keys()])) {
      for (const i of contentIds.get(contentId) ?? []) clauses.push({ term: { accountId: { value: authorId, _name: `t${i}` } } });
    }
    const matched = new Map<number, Set<string>>();
    if (clauses.length > 0) {
      const res = await this.call(() =>
        this.es.search<{ accountId?: unknown }>(
          {
            index: this.opts.accountsIndex,
            query: { bool: { should: clauses, minimum_should_match: 1 } },
            _source: { includes: ['accountId'] },
            size: MAX_PAGE,
            track_total_hits: MAX_PAGE + 1,
          },
          { requestTimeout: this.timeoutMs },
        ),
      );
      complete(res);
      tooManyHits(res, 'accounts');
      for (const hit of res.hits.hits) {
        const accountId = hit._source?.accountId;
        if (typeof accountId !== 'string') continue;
        for (const name of namesOf(hit.matched_queries)) {
          const i = Number(name.slice(1));
          matched.set(i, (matched.get(i) ?? new Set()).add(accountId));
        }
      }
    }
    return targets.map((target, i) => {
      const done = out[i];
      if (done) return done;
      const ids = matched.get(i);
      return ids && ids.size > 0 ? { target, status: 'resolved', accountIds: [...ids].sort() } : { target, status: 'not_found' };
    });
  }

  async phoneOf(accountIds: readonly string[]): Promise<PhoneRecord[]> {
    const ids = this.checkAccounts(accountIds);
    const res = await this.call(() =>
      this.es.search<{ accountId?: unknown; phone?: unknown; phoneCountry?: unknown }>(
        {
          index: this.opts.accountsIndex,
          query: { bool: { filter: [{ terms: { accountId: ids } }, { exists: { field: 'phone' } }] } },
          _source: { includes: ['accountId', 'phone', 'phoneCountry'] },
          size: MAX_PAGE,
          track_total_hits: MAX_PAGE + 1,
        },
        { requestTimeout: this.timeoutMs },
      ),
    );
    complete(res);
    tooManyHits(res, 'accounts');
    const seen = new Set<string>();
    const out: PhoneRecord[] = [];
    for (const hit of res.hits.hits) {
      const { accountId, phone, phoneCountry } = hit._source ?? {};
      if (typeof accountId !== 'string' || typeof phone !== 'string') continue;
      const record = { accountId, phone, phoneCountry: typeof phoneCountry === 'string' ? phoneCountry : '' };
      const key = JSON.stringify(record);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(record);
    }
    return out.sort((a, b) => compare(a.accountId, b.accountId) || compare(a.phone, b.phone));
  }

  async *signIns(accountIds: readonly string[], period: SignInPeriod, opts: { pageSize?: number } = {}): AsyncGenerator<SignIn[]> {
    const ids = this.checkAccounts(accountIds);
    const { fromMs, toMs } = periodBounds(period);
    const size = opts.pageSize ?? MAX_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new ValidationError(`pageSize must be 1-${MAX_PAGE}`, '/pageSize');
    const query: estypes.QueryDslQueryContainer = {
      bool: { filter: [{ terms: { accountId: ids } }, { range: { at: { gte: fromMs, lt: toMs, format: 'epoch_millis' } } }] },
    };
    // A point in time keeps every page on the same view of the index while the platform writes on; search_after pages past any window.
    let pit = (await this.call(() => this.es.openPointInTime({ index: this.opts.signInsIndex, keep_alive: PIT_KEEP_ALIVE }, { requestTimeout: this.timeoutMs }))).id;
    const fetch = (after: estypes.SortResults | undefined) =>
      this.call(() =>
        this.es.search(
          {
            pit: { id: pit, keep_alive: PIT_KEEP_ALIVE },
            query,
            // The sort values are the data: doc values of these three fields only, nothing loaded per hit
            // (no _source, no stored fields: that fetch phase cost more than the search). The point in
            // time adds _shard_doc as the last key, so equal (account, time, address) rows are never skipped.
            sort: [{ accountId: 'asc' }, { at: { order: 'asc', format: 'strict_date_time' } }, { ip: 'asc' }],
            _source: false,
            stored_fields: ['_none_'],
            // Only what is read: a smaller answer to write, send and parse (a page is 10,000 hits).
            filter_path: ['pit_id', '_shards', 'timed_out', 'hits.total', 'hits.hits.sort', 'aggregations'],
            size,
            // Once, on the first page: a document with several addresses or times would be read as one sign-in.
            ...(after
              ? { track_total_hits: false, search_after: after }
              : { track_total_hits: true, aggs: { ips: { value_count: { field: 'ip' } }, times: { value_count: { field: 'at' } } } }),
          },
          { requestTimeout: this.timeoutMs },
        ),
      );
    let pending: Promise<estypes.SearchResponse> | undefined = fetch(undefined);
    // Awaited later; until then a failure must not count as unhandled.
    pending.catch(() => undefined);
    try {
      for (let first = true; pending; first = false) {
        const res: estypes.SearchResponse = await pending;
        pending = undefined;
        if (res.pit_id) pit = res.pit_id;
        complete(res);
        if (first) oneSignInPerDocument(res);
        const hits = res.hits?.hits ?? [];
        const last = hits[hits.length - 1];
        // The next page is on its way while the caller works on this one.
        if (hits.length === size && last?.sort) {
          pending = fetch(last.sort);
          pending.catch(() => undefined);
        }
        const page: SignIn[] = [];
        for (const hit of hits) {
          const [accountId, at, ip] = hit.sort ?? [];
          // A document without an address holds nothing to disclose.
          if (typeof accountId === 'string' && typeof at === 'string' && typeof ip === 'string') page.push({ accountId, ip, at });
        }
        if (page.length > 0) yield page;
      }
    } finally {
      if (pending) await pending.catch(() => undefined);
      await this.es.closePointInTime({ id: pit }, { requestTimeout: this.timeoutMs, ignore: [404] }).catch(() => undefined);
    }
  }

  async heldRange(accountIds: readonly string[]): Promise<HeldRange | undefined> {
    const ids = this.checkAccounts(accountIds);
    const res = await this.call(() =>
      this.es.search(
        {
          index: this.opts.signInsIndex,
          size: 0,
          track_total_hits: false,
          query: { terms: { accountId: ids } },
          aggs: { earliest: { min: { field: 'at', format: 'strict_date_time' } }, latest: { max: { field: 'at', format: 'strict_date_time' } } },
        },
        { requestTimeout: this.timeoutMs },
      ),
    );
    complete(res);
    const aggs = res.aggregations as Record<string, estypes.AggregationsMinAggregate> | undefined;
    const earliest = aggs?.['earliest']?.value_as_string;
    const latest = aggs?.['latest']?.value_as_string;
    return aggs?.['earliest']?.value != null && earliest && latest ? { earliest, latest } : undefined;
  }

  /** Post id → author id, read from the content index (authorId only). */
  private async authorsOf(contentIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (contentIds.length === 0) return out;
    const res = await this.call(() =>
      this.es.mget<{ authorId?: unknown }>({ index: this.opts.contentIndex, ids: contentIds, _source: ['authorId'], realtime: true }, { requestTimeout: this.timeoutMs, ignore: [404] }),
    );
    for (const doc of res.docs ?? []) {
      if ('error' in doc) {
        // No content index holds no posts; any other failure is an outage.
        if (doc.error?.type === 'index_not_found_exception') continue;
        throw new UnavailableError('the content index is unavailable', 'content_unavailable');
      }
      const authorId = doc.found ? doc._source?.authorId : undefined;
      if (typeof authorId === 'string' && authorId.length > 0) out.set(doc._id, authorId);
    }
    return out;
  }

  private checkAccounts(accountIds: readonly string[]): string[] {
    const ids = [...new Set(accountIds)];
    if (ids.length === 0) throw new ValidationError('at least one account id is required', '/accountIds');
    if (ids.length > this.maxAccounts) throw new ValidationError(`at most ${this.maxAccounts} accounts at once`, '/accountIds');
    if (ids.some((id) => typeof id !== 'string' || id.length === 0)) throw new ValidationError('account ids are non-empty strings', '/accountIds');
    return ids;
  }

  /**
   * Runs one request; a failure becomes an UnavailableError naming only the
   * Elasticsearch error type. Its reason can quote the query, and the query
   * holds phone numbers and usernames, which must never reach a log.
   */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TakedownError) throw err;
      const type = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
      if (type === 'index_not_found_exception') throw new UnavailableError('a subscriber data index does not exist', 'subscriber_index_missing');
      throw new UnavailableError(`subscriber data is unavailable${type ? ` (${type})` : ''}`, 'subscriber_data_unavailable');
    }
  }
}

function tooManyHits(res: estypes.SearchResponse<unknown>, what: string): void {
  const total = res.hits.total;
  const count = typeof total === 'number' ? total : (total?.value ?? 0);
  // Never a silent cut: more matching accounts than one page means the platform's data is not what the desk assumes.
  if (count > res.hits.hits.length) throw new TakedownError('subscriber_data_ambiguous', `more ${what} match than one page holds`, 500);
}

/**
 * Elasticsearch answers 200 with the hits of the shards that answered when
 * others failed or the search timed out. Part of the data is not the data:
 * for a disclosure that is an outage.
 */
function complete(res: estypes.SearchResponse<unknown>): void {
  if (res.timed_out || (res._shards?.failed ?? 0) > 0) throw new UnavailableError('subscriber data is unavailable (some shards did not answer)', 'subscriber_data_unavailable');
}

/** The sign-ins index holds one sign-in per document; anything else is refused rather than read in part. */
function oneSignInPerDocument(res: estypes.SearchResponse): void {
  const total = res.hits.total;
  const docs = typeof total === 'number' ? total : (total?.value ?? 0);
  const aggs = res.aggregations as Record<string, estypes.AggregationsValueCountAggregate> | undefined;
  const most = Math.max(aggs?.['ips']?.value ?? 0, aggs?.['times']?.value ?? 0);
  if (most > docs) throw new TakedownError('subscriber_data_shape', 'a sign-in document holds several addresses or times; the desk reads one sign-in per document', 500);
}

function namesOf(matched: estypes.SearchHit['matched_queries']): string[] {
  if (!matched) return [];
  return Array.isArray(matched) ? matched : Object.keys(matched);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
