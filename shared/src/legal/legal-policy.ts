import type { LegalProblem, TargetLookup } from './legal-record';
import { JUDICIAL_PROCESS_KINDS, type DisclosableData, type LegalProcessKind, type LegalRequestType, type TargetKind, type TargetRole } from './legal-vocabulary';

/**
 * The legal desk's policy check, pure: given a request as entered, the
 * policy in config and what the subscriber data source answered, it returns
 * every problem with the field it is about, and the period clamped to the
 * data held. Problems with outcome `reject` or `needs_info` block approval
 * and are applied at intake (and again when information arrives); `note`s
 * advise the officer.
 *
 * The platform's policy: data leaves on a valid order of a judicial
 * authority that states the user is a suspect. So a `records` request needs
 * a judicial process (JUDICIAL_PROCESS_KINDS) stating a suspect, and only
 * its suspects' data may be produced. Emergencies (risk to life, the
 * process follows within 72 h) and preservations (nothing disclosed) do not.
 */

export type NonJudicialOutcome = 'needs_info' | 'reject';

export interface LegalPolicyConfig {
  /** What happens to a records request without a judicial order stating a suspect. */
  nonJudicialOutcome: NonJudicialOutcome;
  /** Agency countries whose requests are accepted (ISO 3166-1 alpha-2); empty = every country. */
  jurisdictions: readonly string[];
}

export interface PolicyInput {
  type: LegalRequestType;
  agencyCountry: string;
  legalProcess: { kind: LegalProcessKind };
  statesSuspect: boolean;
  targets: readonly { kind: TargetKind; role: TargetRole }[];
  dataRequested: readonly DisclosableData[];
  period: { from: string; to: string };
}

export interface PolicyContext {
  /**
   * The subscriber data source's answer per target (same order), or
   * undefined when no source is wired: targets are then not checked.
   */
  resolutions?: readonly (TargetLookup | undefined)[];
  /**
   * The span of sign-ins held for the targets' accounts (`to` exclusive);
   * null when none is held; undefined when not looked up.
   */
  dataHeld?: { from: string; to: string } | null;
}

export interface PolicyResult {
  problems: LegalProblem[];
  /** The period the data is read for: the requested one clamped to the data held. */
  effectivePeriod: { from: string; to: string };
}

export function checkPolicy(input: PolicyInput, config: LegalPolicyConfig, ctx: PolicyContext = {}): PolicyResult {
  const problems: LegalProblem[] = [];

  if (config.jurisdictions.length > 0 && !config.jurisdictions.includes(input.agencyCountry)) {
    problems.push({
      field: '/agency',
      code: 'jurisdiction_not_accepted',
      message: `requests from agencies in ${input.agencyCountry} are not accepted (accepted: ${config.jurisdictions.join(', ')})`,
      outcome: 'reject',
      reason: 'jurisdiction_not_accepted',
    });
  }

  if (input.type === 'records') {
    const outcome = config.nonJudicialOutcome;
    if (!JUDICIAL_PROCESS_KINDS.includes(input.legalProcess.kind)) {
      problems.push({
        field: '/legalProcess/kind',
        code: 'not_judicial',
        message: `a records request needs an order of a court or judge (${JUDICIAL_PROCESS_KINDS.join(', ')}); a ${input.legalProcess.kind.replace(/_/g, ' ')} is not one`,
        outcome,
        reason: 'not_judicial',
      });
    }
    if (!input.statesSuspect) {
      problems.push({ field: '/statesSuspect', code: 'no_suspect', message: 'a records request needs an order stating that the target is a suspect', outcome, reason: 'no_suspect' });
    } else if (!input.targets.some((t) => t.role === 'suspect')) {
      problems.push({ field: '/targets', code: 'no_suspect', message: 'the order states a suspect, but no target has the role suspect', outcome, reason: 'no_suspect' });
    }
    input.targets.forEach((t, i) => {
      if (t.role !== 'suspect') {
        problems.push({ field: `/targets/${i}/role`, code: 'not_a_suspect', message: `target ${i} is named as ${t.role}: a records request discloses suspects' data only; decide not to produce it`, outcome: 'note' });
      }
    });
  }

  if (ctx.resolutions) {
    const resolved = ctx.resolutions.filter((r) => r?.resolved).length;
    ctx.resolutions.forEach((r, i) => {
      if (r?.status === 'invalid') {
        problems.push({ field: `/targets/${i}/value`, code: 'target_invalid', message: `target ${i}: ${r.reason ?? 'not a valid identifier'}`, outcome: 'note' });
      } else if (!r?.resolved) {
        problems.push({ field: `/targets/${i}/value`, code: 'target_unresolved', message: `target ${i} names no account the platform holds`, outcome: 'note' });
      } else if (r.accounts.length > 1) {
        problems.push({ field: `/targets/${i}/value`, code: 'target_names_several_accounts', message: `target ${i} names ${r.accounts.length} accounts (a recycled or shared number): all of them are produced if it is`, outcome: 'note' });
      }
    });
    if (resolved === 0 && input.targets.length > 0) {
      problems.push({ field: '/targets', code: 'targets_unresolved', message: 'no target names an account the platform holds', outcome: 'needs_info', reason: 'targets_unresolved' });
    }
  }

  // Without sign-ins there are no IP addresses to give: that blocks a request for IP addresses alone; with the phone number asked too, it is a note.
  const onlyIps = input.dataRequested.length > 0 && input.dataRequested.every((d) => d === 'ip_addresses');
  const noDataOutcome = input.type !== 'preservation' && !onlyIps ? 'note' : 'needs_info';
  let effectivePeriod = { from: input.period.from, to: input.period.to };
  if (ctx.dataHeld === null && ctx.resolutions?.some((r) => r?.resolved)) {
    problems.push({ field: '/period', code: 'no_data_held', message: 'the platform holds no sign-ins of these accounts', outcome: noDataOutcome });
  } else if (ctx.dataHeld) {
    const from = maxIso(input.period.from, ctx.dataHeld.from);
    const to = minIso(input.period.to, ctx.dataHeld.to);
    if (Date.parse(from) >= Date.parse(to)) {
      problems.push({ field: '/period', code: 'no_data_held', message: `the platform holds no sign-ins of these accounts in this period (it holds ${ctx.dataHeld.from} to ${ctx.dataHeld.to})`, outcome: noDataOutcome });
    } else {
      if (from !== input.period.from) {
        problems.push({ field: '/period/from', code: 'period_clamped', message: `sign-ins are held from ${ctx.dataHeld.from} only: the period starts there`, outcome: 'note' });
      }
      if (to !== input.period.to) {
        problems.push({ field: '/period/to', code: 'period_clamped', message: `sign-ins are held up to ${ctx.dataHeld.to} only: the period ends there`, outcome: 'note' });
      }
      effectivePeriod = { from, to };
    }
  }

  return { problems, effectivePeriod };
}

/** True when a problem keeps the request from being approved. */
export function isBlocking(p: Pick<LegalProblem, 'outcome'>): boolean {
  return p.outcome !== 'note';
}

/** What the policy check does with a request's problems: reject (with the first rejecting problem's reason), ask for information, or nothing. */
export function policyOutcome(problems: readonly LegalProblem[]): { kind: 'reject'; problem: LegalProblem } | { kind: 'needs_info' } | undefined {
  const reject = problems.find((p) => p.outcome === 'reject');
  if (reject) return { kind: 'reject', problem: reject };
  if (problems.some((p) => p.outcome === 'needs_info')) return { kind: 'needs_info' };
  return undefined;
}

function maxIso(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function minIso(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b;
}
