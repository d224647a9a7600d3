/**
 * The normaliser's version. Bump it whenever `normalize()` writes any input
 * differently (a new fold, a changed table): every stored
 * `moderation.normalizedText` then differs from what rules are compared
 * with in Elasticsearch (pending filters, backfill, preview counts), so the
 * API starts a full rescan at boot when the version it last rescanned with
 * is older (RulePublisher.rescanIfNormalizerChanged).
 *
 * 2: issue 17's evasion classes (l, I, 1 and | read as i; small capitals,
 *    regional indicators, Urdu letter forms, bare hamza dropped).
 */
export const NORMALIZER_VERSION = 2;
