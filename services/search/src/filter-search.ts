import { SearchGuardError, rewriteSearch, type RewriteResult } from '@takedown/search-rules';
import { UnavailableError, isCountryCode, recordShadowHits } from '@takedown/shared';
import { PLATFORMS } from '@takedown/features';
import type { SearchDeps } from './deps';
import { EsRefusal } from '@takedown/shared';
import { checkGeoGates, type FeatureBlocked } from './feature-gate';

/** The caller's context, from the headers the platform sets per end user. */
export interface CallerContext {
  country?: string;
  locale?: string;
  /** The end user's client platform (feature switches can target one). */
  platform?: string;
}

const PLATFORM_SET: ReadonlySet<string> = new Set(PLATFORMS);

/** `header` reads a request header by its lower-case name (express's req.get, or the raw headers on the fast path). */
export function callerContext(header: (name: string) => string | undefined): CallerContext {
  const country = header('x-takedown-country');
  const locale = header('x-takedown-locale');
  // Officially assigned codes only: "ZZ" would match no country-scoped rule and no restriction.
  if (country !== undefined && !isCountryCode(country.toUpperCase())) {
    throw new EsRefusal(400, 'illegal_argument_exception', 'X-Takedown-Country must be an officially assigned ISO 3166-1 alpha-2 code', 'bad_header', {}, 'x-takedown-country');
  }
  if (locale !== undefined && !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(locale)) {
    throw new EsRefusal(400, 'illegal_argument_exception', 'X-Takedown-Locale must be a language tag such as "ru" or "en-GB"', 'bad_header', {}, 'x-takedown-locale');
  }
  const platform = header('x-takedown-platform');
  if (platform !== undefined && !PLATFORM_SET.has(platform.toLowerCase())) {
    throw new EsRefusal(400, 'illegal_argument_exception', `X-Takedown-Platform must be one of ${PLATFORMS.join(', ')}`, 'bad_header', {}, 'x-takedown-platform');
  }
  return { ...(country ? { country: country.toUpperCase() } : {}), ...(locale ? { locale } : {}), ...(platform ? { platform: platform.toLowerCase() } : {}) };
}

/**
 * Fails closed: throws UnavailableError (503) unless a published ruleset is
 * loaded and recently confirmed current, and the takedown subscription is up.
 */
export function assertFit(deps: SearchDeps): void {
  deps.rules.fresh(deps.config.maxStalenessMs);
  if (!deps.tracker.healthy) throw new UnavailableError('the takedown subscription is down', 'takedowns_unavailable');
}

/** A body's outcome: rewritten, blocked by a rule, or blocked by a feature switch. */
export type FilterResult = RewriteResult | (FeatureBlocked & { shadowHits: []; queryText: string[] });

/**
 * Guard and rewrite one body (timed), then the geo gates of feature
 * switches (with the geo constructs the guard's walk read out). Guard
 * refusals become 400s with the JSON path. `index` is the (validated)
 * target: the geo gates resolve field names through its mapping.
 */
export async function filterBody(deps: SearchDeps, body: unknown, caller: CallerContext, index: string, checkBudget?: { left: number }): Promise<FilterResult> {
  const result = guardBody(deps, body, caller, checkBudget);
  if (result.blocked) return result;
  const gated = await checkGeoGates(deps, caller, result.geo, index);
  return gated ? { ...gated, shadowHits: [], queryText: result.queryText } : result;
}

/** The guard and rewriter (timed): synchronous, CPU only. */
function guardBody(deps: SearchDeps, body: unknown, caller: CallerContext, checkBudget?: { left: number }): RewriteResult {
  const { compiled, version } = deps.rules.current();
  const t0 = process.hrtime.bigint();
  let blockedBy: string | undefined;
  try {
    const result = rewriteSearch(compiled, body, {
      ...caller,
      recentlyRemovedIds: deps.tracker.idsFor(caller.country),
      ...(checkBudget ? { checkBudget } : {}),
      pendingContentRules: deps.pending.rulesIn(compiled),
    });
    logQuery(deps, version, result);
    if (result.blocked) blockedBy = result.category;
    return result;
  } catch (err) {
    if (err instanceof SearchGuardError) {
      throw new EsRefusal(400, 'takedown_search_refused_exception', err.message, 'body', { path: err.field });
    }
    throw err;
  } finally {
    deps.metrics.rewritten(Number(process.hrtime.bigint() - t0) / 1e9, blockedBy);
  }
}

export function parseJsonBody(raw: unknown): unknown {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new EsRefusal(400, 'parse_exception', 'request body is not valid JSON', 'bad_json');
  }
}

/**
 * Hands a random sample of query texts (about one in `queryLogSampleEvery`;
 * text only: no user, no country) to the query log, which leads' rule
 * previews replay, and counts blocked searches and shadow hits (every one).
 * Off the request path: never awaited, failures only logged. Sampled
 * because a Redis write per search was a large part of the service's CPU
 * per search; a preview needs recent queries, not all.
 */
function logQuery(deps: SearchDeps, version: number, result: RewriteResult): void {
  const every = deps.config.queryLogSampleEvery;
  const sampled = every <= 1 || Math.random() * every < 1;
  if (!sampled && !result.blocked && result.shadowHits.length === 0) return;
  const text = result.queryText.join(' ').slice(0, 500);
  if (text.trim() === '') return;
  const k = deps.rulesetKeys;
  if (sampled) deps.queryLog.add(text);
  if (result.blocked) {
    deps.redis.hincrby(k.blockedCounts, result.category, 1).catch((err: unknown) => deps.logger.warn({ err }, 'blocked count failed'));
  }
  if (result.shadowHits.length > 0) {
    recordShadowHits(deps.redis, k, version, result.shadowHits, text, 'query').catch((err: unknown) => deps.logger.warn({ err }, 'shadow count failed'));
  }
}
