import type { Category, ReporterType } from '../domain/vocabulary';
import type { Lane } from './keys';

/**
 * Case priority, 0..999, higher first. The formula (documented in the README):
 *
 *   severity(category)                 csam 400, terrorism 300, weapons 200,
 *                                      drugs 180, fraud 120, other 60
 * + trust(best reporter type)          authority 150, trusted_flagger 120,
 *                                      automated 60, user 20
 * + volume: 40 × log2(1 + reports)     capped at 200
 * + rules: 80 if any live rule hit, +120 more for an auto_remove hit
 * + age: 5 per hour since the first report, capped at 100 (applied when
 *   the case is re-scored; within one priority older cases come first
 *   anyway, see laneScore)
 *
 * Severity dominates so that one credible CSAM report outranks a pile of
 * spam reports; reporter trust comes next because authorities and trusted
 * flaggers are right far more often than anonymous users.
 */
export const SEVERITY: Readonly<Record<Category, number>> = {
  csam: 400,
  terrorism: 300,
  weapons: 200,
  drugs: 180,
  fraud: 120,
  other: 60,
};

export const REPORTER_TRUST: Readonly<Record<ReporterType, number>> = {
  authority: 150,
  trusted_flagger: 120,
  automated: 60,
  user: 20,
};

export interface PriorityInput {
  category: Category;
  reporterTypes: readonly ReporterType[];
  reportCount: number;
  liveRuleHits: number;
  autoRemoveHit: boolean;
  firstReportedAt: Date;
  now: Date;
}

export function casePriority(i: PriorityInput): number {
  const trust = Math.max(0, ...i.reporterTypes.map((t) => REPORTER_TRUST[t]));
  const volume = Math.min(200, 40 * Math.log2(1 + Math.max(0, i.reportCount)));
  const rules = (i.liveRuleHits > 0 ? 80 : 0) + (i.autoRemoveHit ? 120 : 0);
  const hours = Math.max(0, (i.now.getTime() - i.firstReportedAt.getTime()) / 3_600_000);
  const age = Math.min(100, 5 * hours);
  return Math.max(0, Math.min(999, Math.round(SEVERITY[i.category] + trust + volume + rules + age)));
}

/** The most severe of the categories (report reasons and rule hits). */
export function mostSevere(categories: Iterable<Category>, fallback: Category): Category {
  let best = fallback;
  for (const c of categories) if (SEVERITY[c] > SEVERITY[best]) best = c;
  return best;
}

const EPOCH_2020_S = Date.UTC(2020, 0, 1) / 1000;

/**
 * Sorted-set score on a lane: lower is served first. Priority-major (999 −
 * priority in the high bits), then the first report's time in seconds since
 * 2020, so equal priorities are served oldest first. Stays below 2^53.
 */
export function laneScore(priority: number, firstReportedAt: Date): number {
  const seconds = Math.max(0, Math.floor(firstReportedAt.getTime() / 1000 - EPOCH_2020_S));
  return (999 - priority) * 2 ** 32 + Math.min(seconds, 2 ** 32 - 1);
}

/**
 * Where a case waits. Abuse material always goes to the restricted `csam`
 * lane, appeals and escalations included, so only moderators cleared for it
 * ever see it; `restricted` (isCsamCase) sends a case there whatever its
 * category says (a csam report or hit, a pending move).
 */
export function routeLane(category: Category, opts: { appeal?: boolean; escalated?: boolean; restricted?: boolean } = {}): Lane {
  if (category === 'csam' || opts.restricted) return 'csam';
  if (opts.appeal) return 'appeals';
  if (opts.escalated) return 'escalated';
  return 'default';
}
