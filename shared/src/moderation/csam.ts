import type { ReportJob } from '../jobs/payloads';
import type { CaseRecord, CaseRuleHit } from './case-record';

/**
 * Abuse material is shown only to principals holding the csam grant. These
 * say which cases and which evidence count as csam; every path that shows or
 * moves a case (listing, case page, media, claims, stats, the job board)
 * asks them, so the answer is the same everywhere.
 */

/** A rule hit that marks content as possible abuse material. Shadow rules act nowhere, hiding included. */
export function isCsamHit(h: Pick<CaseRuleHit, 'category' | 'shadow'>): boolean {
  return h.category === 'csam' && !h.shadow;
}

/** Whether one report brings a csam signal: its reason, or a rule hit on the content it leads to. */
export function csamSignalOf(report: Pick<ReportJob, 'reason'>, hits: readonly Pick<CaseRuleHit, 'category' | 'shadow'>[]): boolean {
  return report.reason === 'csam' || hits.some(isCsamHit);
}

/**
 * Whether a case is restricted to the csam grant: its category or lane is
 * csam, a move across the csam line is pending (either way: into csam is
 * restricted at once, out of csam only once confirmed), or a report or rule
 * hit said csam and no confirmed move out has cleared it since. Cases from
 * before the signal was recorded fall back on their rule hits (and the case
 * page on their reports' reasons).
 */
export function isCsamCase(c: Pick<CaseRecord, 'category' | 'lane' | 'categoryMove' | 'csamSignal' | 'ruleHits'>): boolean {
  if (c.category === 'csam' || c.lane === 'csam' || c.categoryMove !== undefined) return true;
  return c.csamSignal ?? c.ruleHits.some(isCsamHit);
}
