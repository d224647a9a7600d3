import { checkPolicy, isBlocking, policyOutcome, type LegalPolicyConfig, type PolicyInput } from './legal-policy';

const AT = '2026-11-30T10:00:00.000Z';
const config: LegalPolicyConfig = { nonJudicialOutcome: 'needs_info', jurisdictions: [] };
const records = (extra: Partial<PolicyInput> = {}): PolicyInput => ({
  type: 'records',
  agencyCountry: 'DE',
  legalProcess: { kind: 'court_order' },
  statesSuspect: true,
  targets: [{ kind: 'username', role: 'suspect' }],
  dataRequested: ['ip_addresses', 'phone_number'],
  period: { from: '2026-01-01T00:00:00.000Z', to: '2026-06-30T00:00:00.000Z' },
  ...extra,
});
const found = (...ids: string[]) => ({ status: 'resolved' as const, resolved: true, accounts: ids.map((accountId) => ({ accountId, phoneCountry: 'DE' })), checkedAt: AT });
const fields = (r: ReturnType<typeof checkPolicy>) => r.problems.map((p) => [p.field, p.code, p.outcome]);

describe('legal policy check', () => {
  it('finds nothing wrong with a judicial order stating a suspect', () => {
    const r = checkPolicy(records(), config);
    expect(r.problems).toEqual([]);
    expect(r.effectivePeriod).toEqual(records().period);
    expect(policyOutcome(r.problems)).toBeUndefined();
  });

  it.each(['subpoena', 'emergency_letter'] as const)('a records request on a %s is not judicial: the outcome comes from config', (kind) => {
    const asked = checkPolicy(records({ legalProcess: { kind } }), config);
    expect(fields(asked)).toEqual([['/legalProcess/kind', 'not_judicial', 'needs_info']]);
    expect(policyOutcome(asked.problems)).toEqual({ kind: 'needs_info' });
    const rejected = checkPolicy(records({ legalProcess: { kind } }), { ...config, nonJudicialOutcome: 'reject' });
    expect(fields(rejected)).toEqual([['/legalProcess/kind', 'not_judicial', 'reject']]);
    expect(policyOutcome(rejected.problems)).toEqual({ kind: 'reject', problem: expect.objectContaining({ reason: 'not_judicial' }) });
  });

  it.each(['court_order', 'warrant', 'production_order'] as const)('%s is judicial', (kind) => {
    expect(checkPolicy(records({ legalProcess: { kind } }), config).problems).toEqual([]);
  });

  it('needs the order to state a suspect, and a target named as one', () => {
    expect(fields(checkPolicy(records({ statesSuspect: false }), config))).toEqual([['/statesSuspect', 'no_suspect', 'needs_info']]);
    expect(fields(checkPolicy(records({ targets: [{ kind: 'username', role: 'victim' }] }), config))).toEqual([
      ['/targets', 'no_suspect', 'needs_info'],
      ['/targets/0/role', 'not_a_suspect', 'note'],
    ]);
  });

  it('notes targets that are not suspects in a records request, without blocking it', () => {
    const r = checkPolicy(records({ targets: [{ kind: 'username', role: 'suspect' }, { kind: 'phone_number', role: 'witness' }] }), config);
    expect(fields(r)).toEqual([['/targets/1/role', 'not_a_suspect', 'note']]);
    expect(r.problems.some(isBlocking)).toBe(false);
  });

  it('asks neither emergencies nor preservations for a judicial order', () => {
    for (const type of ['emergency', 'preservation'] as const) {
      expect(checkPolicy(records({ type, legalProcess: { kind: 'emergency_letter' }, statesSuspect: false, targets: [{ kind: 'account_id', role: 'victim' }] }), config).problems).toEqual([]);
    }
  });

  it('rejects agencies outside the accepted jurisdictions, when any are configured', () => {
    const strict = { ...config, jurisdictions: ['DE', 'FR'] };
    expect(checkPolicy(records({ agencyCountry: 'FR' }), strict).problems).toEqual([]);
    const r = checkPolicy(records({ agencyCountry: 'US' }), strict);
    expect(fields(r)).toEqual([['/agency', 'jurisdiction_not_accepted', 'reject']]);
    expect(policyOutcome(r.problems)).toEqual({ kind: 'reject', problem: expect.objectContaining({ reason: 'jurisdiction_not_accepted' }) });
  });

  it('a rejection outranks a request for information', () => {
    const r = checkPolicy(records({ agencyCountry: 'US', statesSuspect: false }), { ...config, jurisdictions: ['DE'] });
    expect(policyOutcome(r.problems)).toEqual({ kind: 'reject', problem: expect.objectContaining({ field: '/agency' }) });
  });

  it('names every target that resolves to no account, and asks for information when none does', () => {
    const two = records({ targets: [{ kind: 'username', role: 'suspect' }, { kind: 'phone_number', role: 'suspect' }] });
    const some = checkPolicy(two, config, { resolutions: [found('a1'), { status: 'not_found', resolved: false, accounts: [], checkedAt: AT }] });
    expect(fields(some)).toEqual([['/targets/1/value', 'target_unresolved', 'note']]);
    const none = checkPolicy(two, config, { resolutions: [{ status: 'invalid', resolved: false, accounts: [], reason: 'not an E.164 phone number', checkedAt: AT }, undefined] });
    expect(fields(none)).toEqual([
      ['/targets/0/value', 'target_invalid', 'note'],
      ['/targets/1/value', 'target_unresolved', 'note'],
      ['/targets', 'targets_unresolved', 'needs_info'],
    ]);
    const shared = checkPolicy(records(), config, { resolutions: [found('a1', 'a2')] });
    expect(fields(shared)).toEqual([['/targets/0/value', 'target_names_several_accounts', 'note']]);
  });

  it('clamps the period to the data held, and says so per end', () => {
    const held = { from: '2026-03-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' };
    const r = checkPolicy(records(), config, { dataHeld: held });
    expect(r.effectivePeriod).toEqual(held);
    expect(fields(r)).toEqual([
      ['/period/from', 'period_clamped', 'note'],
      ['/period/to', 'period_clamped', 'note'],
    ]);
    const inside = checkPolicy(records(), config, { dataHeld: { from: '2025-01-01T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' } });
    expect(inside.problems).toEqual([]);
    expect(inside.effectivePeriod).toEqual(records().period);
    const outside = { from: '2026-07-01T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' };
    // Phone numbers are still there to give; IP addresses alone are not.
    expect(fields(checkPolicy(records(), config, { dataHeld: outside }))).toEqual([['/period', 'no_data_held', 'note']]);
    expect(fields(checkPolicy(records({ dataRequested: ['ip_addresses'] }), config, { dataHeld: outside }))).toEqual([['/period', 'no_data_held', 'needs_info']]);
    expect(fields(checkPolicy(records({ dataRequested: ['ip_addresses'] }), config, { resolutions: [found('a1')], dataHeld: null }))).toEqual([['/period', 'no_data_held', 'needs_info']]);
  });

  it('never puts a target value in a problem', () => {
    // Values never reach the check at all: it sees kinds and roles only.
    const r = checkPolicy(records({ statesSuspect: false, legalProcess: { kind: 'subpoena' } }), config, { resolutions: [{ status: 'not_found', resolved: false, accounts: [], checkedAt: AT }] });
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) expect(p.field.startsWith('/')).toBe(true);
  });
});
