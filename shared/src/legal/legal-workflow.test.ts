import { ConflictError, ForbiddenError } from '../errors/takedown-error';
import { LEGAL_STATES, type LegalState } from './legal-vocabulary';
import { availableEvents, transition, type LegalActor, type LegalEvent, type LegalEventKind, type WorkflowView } from './legal-workflow';

const AT = '2026-11-30T10:00:00.000Z';
const ann: LegalActor = { kind: 'legal', id: 'ann' };
const bea: LegalActor = { kind: 'legal', id: 'bea' };
const cyd: LegalActor = { kind: 'legal', id: 'cyd' };
const eve: LegalActor = { kind: 'legal', id: 'eve', emergency: true };
const agency: LegalActor = { kind: 'agency', id: 'bka-berlin' };
const system: LegalActor = { kind: 'system', id: 'system' };

const view = (state: LegalState, extra: Partial<WorkflowView> = {}): WorkflowView => ({ state, type: 'records', enteredBy: 'ann', approvals: [], ...extra });
const event = (kind: LegalEventKind): LegalEvent => (kind === 'reject' ? { kind, reason: 'no_suspect' } : ({ kind } as LegalEvent));

/** The whole table: for every event, the states it is allowed from, who sends it, and where it goes. */
const TABLE: [LegalEventKind, LegalActor, LegalState[], LegalState | 'two_step'][] = [
  ['acknowledge', system, ['received'], 'acknowledged'],
  ['start_review', bea, ['acknowledged'], 'in_review'],
  ['request_info', bea, ['acknowledged', 'in_review'], 'needs_info'],
  ['request_info', system, ['acknowledged', 'in_review'], 'needs_info'],
  ['info_received', agency, ['needs_info'], 'in_review'],
  ['approve', bea, ['in_review'], 'two_step'],
  ['reject', bea, ['received', 'acknowledged', 'in_review', 'needs_info'], 'rejected'],
  ['reject', system, ['received', 'acknowledged', 'in_review', 'needs_info'], 'rejected'],
  ['withdraw', agency, ['received', 'acknowledged', 'in_review', 'needs_info', 'approved'], 'withdrawn'],
  ['package_produced', system, ['approved'], 'package_produced'],
  ['delivered', system, ['package_produced'], 'delivered'],
];

describe('legal workflow state machine', () => {
  describe.each(TABLE)('%s sent by %o', (kind, actor, from, to) => {
    it.each(LEGAL_STATES.map((s) => [s]))('from %s', (state) => {
      const run = () => transition(view(state), event(kind), actor, AT);
      if (!from.includes(state)) {
        expect(run).toThrow(ConflictError);
        return;
      }
      const r = run();
      expect(r.state).toBe(to === 'two_step' ? 'in_review' : to);
    });
  });

  it('refuses events from the wrong kind of actor', () => {
    expect(() => transition(view('received'), event('acknowledge'), bea, AT)).toThrow(ForbiddenError);
    expect(() => transition(view('in_review'), event('approve'), agency, AT)).toThrow(ForbiddenError);
    expect(() => transition(view('in_review'), event('reject'), agency, AT)).toThrow(ForbiddenError);
    expect(() => transition(view('approved'), event('package_produced'), bea, AT)).toThrow(ForbiddenError);
    // The policy check may send a request back for information or reject it; it never approves or discloses.
    expect(() => transition(view('in_review'), event('approve'), system, AT)).toThrow(ForbiddenError);
    expect(() => transition(view('acknowledged', { type: 'emergency' }), event('emergency_disclose'), system, AT)).toThrow(ForbiddenError);
    expect(() => transition(view('needs_info'), event('info_received'), system, AT)).toThrow(ForbiddenError);
  });

  it('needs two different officers, neither the one who entered it, before anything is produced', () => {
    const v = view('in_review');
    expect(() => transition(v, event('approve'), ann, AT)).toThrow(expect.objectContaining({ code: 'entered_by_you' }));
    const first = transition(v, event('approve'), bea, AT);
    expect(first).toEqual({ state: 'in_review', approvals: [{ by: 'bea', at: AT }], effects: [] });
    const again = { ...v, approvals: first.approvals };
    expect(() => transition(again, event('approve'), bea, AT)).toThrow(expect.objectContaining({ code: 'already_approved' }));
    // The same person under a former identity is still the same person.
    expect(() => transition(again, event('approve'), { kind: 'legal', id: 'bea-new', formerIds: ['bea'] }, AT)).toThrow(expect.objectContaining({ code: 'already_approved' }));
    expect(() => transition(v, event('approve'), { kind: 'legal', id: 'ann2', formerIds: ['ann'] }, AT)).toThrow(expect.objectContaining({ code: 'entered_by_you' }));
    const second = transition(again, event('approve'), cyd, AT);
    expect(second).toEqual({ state: 'approved', approvals: [{ by: 'bea', at: AT }, { by: 'cyd', at: AT }], effects: ['build_package'] });
  });

  it('a preservation request, approved, preserves and discloses nothing', () => {
    const v = view('in_review', { type: 'preservation', approvals: [{ by: 'bea', at: AT }] });
    expect(transition(v, event('approve'), cyd, AT).effects).toEqual(['preserve']);
  });

  it('an emergency is disclosed at once by one officer holding the emergency grant, and starts the follow-up clock', () => {
    const v = view('acknowledged', { type: 'emergency', enteredBy: 'eve' });
    expect(() => transition(v, event('emergency_disclose'), bea, AT)).toThrow(expect.objectContaining({ code: 'emergency_grant_required' }));
    expect(transition(v, event('emergency_disclose'), eve, AT)).toEqual({ state: 'approved', approvals: [{ by: 'eve', at: AT }], effects: ['build_package', 'start_emergency_clock'] });
    expect(() => transition(view('in_review'), event('emergency_disclose'), eve, AT)).toThrow(expect.objectContaining({ code: 'not_emergency' }));
    expect(() => transition(view('needs_info', { type: 'emergency' }), event('emergency_disclose'), eve, AT)).toThrow(ConflictError);
  });

  it('offers each actor exactly the events it may send', () => {
    expect(availableEvents(view('in_review'), ann)).toEqual(['request_info', 'reject', 'withdraw']);
    expect(availableEvents(view('in_review'), bea)).toEqual(['request_info', 'approve', 'reject', 'withdraw']);
    expect(availableEvents(view('in_review', { approvals: [{ by: 'bea', at: AT }] }), bea)).toEqual(['request_info', 'reject', 'withdraw']);
    expect(availableEvents(view('acknowledged', { type: 'emergency' }), eve)).toEqual(['start_review', 'request_info', 'emergency_disclose', 'reject', 'withdraw']);
    expect(availableEvents(view('needs_info'), agency)).toEqual(['info_received', 'withdraw']);
    expect(availableEvents(view('delivered'), ann)).toEqual([]);
  });
});
