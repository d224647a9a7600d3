import type { Client } from '@elastic/elasticsearch';
import type { ContentDocument } from '../indices/content-index';
import type { CaseRecord, DecisionRecord } from '../moderation/case-record';
import type { CaseStore } from '../moderation/case-store';
import { buildStatement, owesStatement, storedStatementFor, type PlatformFacts, type StatementInput } from './statement-of-reasons';
import type { StoredStatement } from './stored-statement';

/** Reports a statement reads at most (a sample of a case reported more often; see CaseStore.reportsUpTo). */
export const STATEMENT_REPORTS_MAX = 100;

export interface ComposeDeps {
  cases: Pick<CaseStore, 'reportsUpTo' | 'decisionBefore' | 'decision'>;
  es: Client;
  contentIndex: string;
}

export type Composed = { owed: false; reason: string } | { owed: true; doc: StoredStatement };

/**
 * The decision's statement of reasons as it would be stored, from the
 * sources of truth at this moment: the case store (reports up to the
 * decision, the decisions before it) and the platform's content index (the
 * post's own date, language and media). Checked with the Transparency
 * Database's rules: `pending` when it passes, `invalid` with its problems
 * when not. The actions worker composes it when it applies the decision; a
 * lead's rebuild composes it again once the data it lacked is there.
 */
export async function composeStatement(deps: ComposeDeps, c: CaseRecord, decision: DecisionRecord, now: Date): Promise<Composed> {
  if (!owesStatement(decision)) return { owed: false, reason: decision.action === 'restrict' ? 'outside_eea' : 'no_restriction' };
  const [sample, previous, appealed, platform] = await Promise.all([
    deps.cases.reportsUpTo(c.id, STATEMENT_REPORTS_MAX),
    deps.cases.decisionBefore(c.id, decision.id),
    decision.appealOf ? deps.cases.decision(c.id, decision.appealOf) : Promise.resolve(undefined),
    platformFacts(deps, decision.contentId),
  ]);
  const input: StatementInput = {
    case: c,
    decision,
    reports: sample.reports,
    reportsComplete: sample.complete,
    ...(previous ? { previous } : {}),
    ...(appealed ? { appealed } : {}),
    ...(platform ? { platform } : {}),
  };
  const built = buildStatement(input);
  if (!built.owed) return { owed: false, reason: built.reason };
  return { owed: true, doc: storedStatementFor(input, built, now) };
}

/** What the platform's content index says about the post (its own date, language, text and media), or undefined when it has no post (or only our placeholder). */
async function platformFacts(deps: ComposeDeps, contentId: string): Promise<PlatformFacts | undefined> {
  const got = await deps.es.get<Record<string, unknown>>(
    { index: deps.contentIndex, id: contentId, _source_includes: ['createdAt', 'lang', 'text', 'media', 'moderation.placeholder'] },
    { ignore: [404], requestTimeout: 10_000 },
  );
  const doc = got.found ? got._source : undefined;
  if (!doc || (doc['moderation'] as ContentDocument['moderation'])?.placeholder) return undefined;
  const raw = doc['media'];
  const media = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const rawDate = doc['createdAt'];
  // Platforms store dates as ISO strings or epoch milliseconds.
  const createdAt = typeof rawDate === 'number' && Number.isFinite(rawDate) ? new Date(rawDate).toISOString() : str(rawDate);
  const lang = str(doc['lang']);
  return {
    ...(createdAt ? { createdAt } : {}),
    ...(lang ? { lang } : {}),
    hasText: typeof doc['text'] === 'string' && doc['text'].trim().length > 0,
    // A media entry without a kind counts as media of an unrecorded kind (CONTENT_TYPE_OTHER), never as an image.
    mediaKinds: media.map((m: unknown) => (m && typeof m === 'object' ? (str((m as Record<string, unknown>)['kind']) ?? '') : '')),
  };
}
