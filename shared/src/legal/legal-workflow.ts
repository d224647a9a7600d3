import { ConflictError, ForbiddenError } from '../errors/takedown-error';
import type { LegalRequestType, LegalState, RejectionReason } from './legal-vocabulary';

/**
 * The legal desk's one state machine, pure: every change of a request's
 * state goes through `transition`, which says what the new state is, who
 * has approved, and what must happen next (build the package, preserve the
 * data, start the emergency clock). The store applies the result with a
 * compare-and-set, so two officers acting at once cannot both win.
 *
 *   received → acknowledged → in_review ⇄ needs_info → approved → package_produced → delivered
 *   acknowledged → needs_info (an officer, or the policy check at intake)
 *   (any state before approval) → rejected;  (any state before the package) → withdrawn
 *   Takedown itself (system) sends the policy check's outcome: needs_info or a rejection with its reason.
 *   emergency: acknowledged | in_review → approved by one officer holding the emergency grant
 */

export type LegalEvent =
  | { kind: 'acknowledge' }
  | { kind: 'start_review' }
  | { kind: 'request_info' }
  | { kind: 'info_received' }
  | { kind: 'approve' }
  | { kind: 'emergency_disclose' }
  | { kind: 'reject'; reason: RejectionReason }
  | { kind: 'withdraw' }
  | { kind: 'package_produced' }
  | { kind: 'delivered' };

export type LegalEventKind = LegalEvent['kind'];

/** Who acts: a legal officer, the agency that filed the request, or Takedown itself. */
export interface LegalActor {
  kind: 'legal' | 'agency' | 'system';
  /** The person's actor id ("system" for Takedown). */
  id: string;
  /** Identities the same person acted under before (a migrated token's "role:name"). */
  formerIds?: readonly string[];
  /** Legal officers cleared to disclose at once in an emergency. */
  emergency?: boolean;
}

export interface Approval {
  by: string;
  at: string;
}

/** What the machine needs to know of a request. */
export interface WorkflowView {
  state: LegalState;
  type: LegalRequestType;
  /** The person who entered the request (an officer, or the agency's person). */
  enteredBy: string;
  approvals: readonly Approval[];
}

export type WorkflowEffect = 'build_package' | 'preserve' | 'start_emergency_clock';

export interface TransitionResult {
  state: LegalState;
  approvals: Approval[];
  effects: WorkflowEffect[];
}

/** How many different officers approve before anything is produced or preserved. */
export const APPROVALS_NEEDED = 2;

/** Which actors may send each event. */
const WHO: Record<LegalEventKind, readonly LegalActor['kind'][]> = {
  acknowledge: ['system'],
  start_review: ['legal'],
  request_info: ['legal', 'system'],
  info_received: ['legal', 'agency'],
  approve: ['legal'],
  emergency_disclose: ['legal'],
  reject: ['legal', 'system'],
  withdraw: ['legal', 'agency'],
  package_produced: ['system'],
  delivered: ['system', 'legal'],
};

/** From which states each event is allowed. */
const FROM: Record<LegalEventKind, readonly LegalState[]> = {
  acknowledge: ['received'],
  start_review: ['acknowledged'],
  request_info: ['acknowledged', 'in_review'],
  info_received: ['needs_info'],
  approve: ['in_review'],
  emergency_disclose: ['acknowledged', 'in_review'],
  reject: ['received', 'acknowledged', 'in_review', 'needs_info'],
  withdraw: ['received', 'acknowledged', 'in_review', 'needs_info', 'approved'],
  package_produced: ['approved'],
  delivered: ['package_produced'],
};

function samePerson(actor: LegalActor, id: string): boolean {
  return actor.id === id || (actor.formerIds ?? []).includes(id);
}

export function transition(view: WorkflowView, event: LegalEvent, actor: LegalActor, at: string): TransitionResult {
  if (!WHO[event.kind].includes(actor.kind)) {
    throw new ForbiddenError(`${actor.kind} may not ${event.kind.replace(/_/g, ' ')} a legal request`, 'legal_forbidden_event');
  }
  if (!FROM[event.kind].includes(view.state)) {
    throw new ConflictError(`a request in state ${view.state} cannot take ${event.kind}; allowed from ${FROM[event.kind].join(', ')}`, 'invalid_transition', 'state');
  }
  const approvals = [...view.approvals];
  switch (event.kind) {
    case 'acknowledge':
      return { state: 'acknowledged', approvals, effects: [] };
    case 'start_review':
    case 'info_received':
      return { state: 'in_review', approvals, effects: [] };
    case 'request_info':
      return { state: 'needs_info', approvals, effects: [] };
    case 'approve': {
      if (samePerson(actor, view.enteredBy)) {
        throw new ForbiddenError('the officer who entered a request cannot approve it; two other officers must', 'entered_by_you');
      }
      if (approvals.some((a) => samePerson(actor, a.by))) {
        throw new ForbiddenError('you have approved this request already; a second, different officer must', 'already_approved');
      }
      approvals.push({ by: actor.id, at });
      if (approvals.length < APPROVALS_NEEDED) return { state: 'in_review', approvals, effects: [] };
      return { state: 'approved', approvals, effects: [view.type === 'preservation' ? 'preserve' : 'build_package'] };
    }
    case 'emergency_disclose': {
      if (view.type !== 'emergency') {
        throw new ConflictError('only an emergency request can be disclosed by one officer; others need two approvals', 'not_emergency', 'type');
      }
      if (!actor.emergency) throw new ForbiddenError('disclosing at once needs the emergency grant', 'emergency_grant_required');
      approvals.push({ by: actor.id, at });
      return { state: 'approved', approvals, effects: ['build_package', 'start_emergency_clock'] };
    }
    case 'reject':
      return { state: 'rejected', approvals, effects: [] };
    case 'withdraw':
      return { state: 'withdrawn', approvals, effects: [] };
    case 'package_produced':
      return { state: 'package_produced', approvals, effects: [] };
    case 'delivered':
      return { state: 'delivered', approvals, effects: [] };
  }
}

/** The events an actor could send now: what the desk offers as buttons. */
export function availableEvents(view: WorkflowView, actor: LegalActor): LegalEventKind[] {
  return (Object.keys(FROM) as LegalEventKind[]).filter((kind) => {
    if (!FROM[kind].includes(view.state) || !WHO[kind].includes(actor.kind)) return false;
    if (kind === 'approve') return !samePerson(actor, view.enteredBy) && !view.approvals.some((a) => samePerson(actor, a.by));
    if (kind === 'emergency_disclose') return view.type === 'emergency' && actor.emergency === true;
    return true;
  });
}
