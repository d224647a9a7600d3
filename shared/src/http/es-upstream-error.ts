/**
 * Elasticsearch's own errors, retold safely. Its reasons quote the query,
 * field values and index names, so no text of theirs reaches a caller: a
 * known problem (result window, a field that cannot be sorted on, …) gets
 * our own short reason and a 400; anything else keeps only its type.
 */
export interface SafeEsError {
  /** Elasticsearch's error type if it is a plain identifier, else a generic one. */
  type: string;
  /** Our words, never Elasticsearch's. */
  reason: string;
  /** A stable name for the problem when we recognise it (`result_window_too_large`), else undefined. */
  code: string | undefined;
  /** The request field at fault, as a JSON pointer, when we know it. */
  field: string | undefined;
}

const SAFE_TYPE = /^[a-z_]{1,80}$/;
export const GENERIC_ES_TYPE = 'search_phase_execution_exception';

interface Known {
  code: string;
  reason: string;
  field?: string;
  /** Matches an error type of the chain... */
  type?: RegExp;
  /** ...or a reason of the chain (read, never repeated). */
  text?: RegExp;
}

/** Elasticsearch 4xx we recognise, first match wins. The reasons are read to classify, never repeated. */
const KNOWN: readonly Known[] = [
  { code: 'result_window_too_large', text: /Result window is too large/i, field: '/from', reason: 'from + size must not exceed the result window of 10000; page deeper with search_after' },
  { code: 'unknown_sort_field', text: /No mapping found for \[.*\] in order to sort on/i, field: '/sort', reason: 'a sort field is not in the index mapping' },
  { code: 'field_not_sortable', text: /Text fields are not optimi[sz]ed|Fielddata is disabled|can't load fielddata/i, reason: 'a text field cannot be sorted or aggregated on; use a keyword field' },
  { code: 'too_many_clauses', type: /too_many_(nested_)?clauses/, text: /maxClauseCount|too many clauses/i, reason: 'the query has too many clauses' },
  { code: 'too_many_buckets', type: /too_many_buckets_exception/, reason: 'the aggregation would create too many buckets' },
  { code: 'bad_number', type: /number_format_exception/, reason: 'a value is not a number where its field expects one' },
  { code: 'bad_date', text: /failed to parse date field/i, reason: 'a value is not a date where its field expects one' },
  { code: 'bad_query', type: /query_shard_exception|query_parsing_exception|parsing_exception|x_content_parse_exception/, reason: 'Elasticsearch could not apply the query to the index' },
  { code: 'illegal_argument', type: /illegal_argument_exception/, reason: 'Elasticsearch refused an argument of the request' },
];

/** Every type and reason in an error cause chain (root_cause, caused_by, failed_shards), bounded. */
function chain(cause: unknown, out: { types: string[]; texts: string[] }, depth = 0): void {
  if (depth > 8 || cause === null || typeof cause !== 'object' || out.types.length > 64) return;
  const c = cause as Record<string, unknown>;
  if (typeof c['type'] === 'string') out.types.push(c['type'].slice(0, 200));
  if (typeof c['reason'] === 'string') out.texts.push(c['reason'].slice(0, 2000));
  else chain(c['reason'], out, depth + 1);
  chain(c['caused_by'], out, depth + 1);
  for (const k of ['root_cause', 'failed_shards']) {
    const list = c[k];
    if (Array.isArray(list)) for (const item of list.slice(0, 16)) chain(item, out, depth + 1);
  }
}

/** Every error type in an Elasticsearch error's cause chain (bounded), to tell a failed query from an outage. */
export function esErrorTypes(cause: unknown): string[] {
  const seen = { types: [] as string[], texts: [] as string[] };
  chain(cause, seen);
  return seen.types;
}

/** Types that mean Elasticsearch could not serve at all (nodes, shards, breakers, queues), not that this search was bad. */
export const ES_OUTAGE_TYPES = /no_shard_available|node_not_connected|node_disconnected|node_closed|cluster_block|connect_transport|receive_timeout|transport|circuit_breaking|rejected_execution|timeout|master_not_discovered|unavailable_shards/;

/** An Elasticsearch error object (`body.error`, an msearch item's `error`, a shard failure's `reason`), retold safely. */
export function safeEsError(cause: unknown): SafeEsError {
  const rawType = (cause as { type?: unknown } | null)?.type;
  const type = typeof rawType === 'string' && SAFE_TYPE.test(rawType) ? rawType : GENERIC_ES_TYPE;
  const seen = { types: [] as string[], texts: [] as string[] };
  chain(cause, seen);
  for (const k of KNOWN) {
    if ((k.type && seen.types.some((t) => k.type!.test(t))) || (k.text && seen.texts.some((t) => k.text!.test(t)))) {
      return { type, reason: k.reason, code: k.code, field: k.field };
    }
  }
  return { type, reason: `Elasticsearch refused the request (${type})`, code: undefined, field: undefined };
}
