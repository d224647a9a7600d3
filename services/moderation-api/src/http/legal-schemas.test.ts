import { decodePdf, validateIntakeBody, validateTargetDecisionBody, validateInfoReceivedBody, validateFollowUpBody, validateLegalListQuery } from './legal-schemas';

const now = new Date('2026-11-30T10:00:00.000Z');
const pdf = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');
const body = (extra: Record<string, unknown> = {}) => ({
  type: 'records',
  requester: { name: 'KHK Example', email: 'khk@polizei.example' },
  legalProcess: { kind: 'court_order', reference: 'AG-1', issuedBy: 'AG Tiergarten', issuedAt: '2026-11-01', document: { base64: pdf } },
  legalBasis: '§ 100g StPO',
  offenceCategory: 'drug_trafficking',
  statesSuspect: true,
  targets: [{ kind: 'phone_number', value: '+4915112345678', role: 'suspect' }],
  dataRequested: ['ip_addresses', 'phone_number'],
  period: { from: '2026-06-01T00:00:00.000Z', to: '2026-11-29T00:00:00.000Z' },
  nonDisclosureUntil: null,
  dueAt: '2026-12-14T00:00:00.000Z',
  ...extra,
});
const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return [(err as { field?: string }).field, (err as Error).message];
  }
  return undefined;
};

describe('legal desk schemas', () => {
  it('accepts a complete request', () => {
    expect(validateIntakeBody(body(), now).targets).toHaveLength(1);
  });

  it('refuses any data type but IP addresses and the phone number, naming the item', () => {
    expect(field(() => validateIntakeBody(body({ dataRequested: ['ip_addresses', 'messages'] }), now))?.[0]).toBe('/dataRequested/1');
    expect(field(() => validateIntakeBody(body({ dataRequested: [] }), now))?.[0]).toBe('/dataRequested');
  });

  it('checks phone numbers as E.164 and never quotes a target value', () => {
    const [f, message] = field(() => validateIntakeBody(body({ targets: [{ kind: 'phone_number', value: '015112345678', role: 'suspect' }] }), now))!;
    expect(f).toBe('/targets/0/value');
    expect(message).not.toContain('015112345678');
    expect(field(() => validateIntakeBody(body({ targets: [{ kind: 'username', value: 'a', role: 'boss' }] }), now))?.[0]).toBe('/targets/0/role');
    // As orders write them: spaces and brackets are fine, the digits must be E.164.
    expect(validateIntakeBody(body({ targets: [{ kind: 'phone_number', value: '+49 (151) 1234-5678', role: 'suspect' }] }), now).targets[0]!.value).toBe('+49 (151) 1234-5678');
    const [f2, m2] = field(() => validateIntakeBody(body({ targets: [{ kind: 'phone_number', value: '+49 151 1234 5678 9999 99', role: 'suspect' }] }), now))!;
    expect([f2, String(m2).includes("1234")]).toEqual(['/targets/0/value', false]);
    const same = [{ kind: 'phone_number', value: '+4915112345678', role: 'suspect' }, { kind: 'phone_number', value: '+49 151 12345678', role: 'suspect' }];
    expect(field(() => validateIntakeBody(body({ targets: same }), now))?.[0]).toBe('/targets/1');
  });

  it('takes 1 to 50 targets, each once', () => {
    expect(field(() => validateIntakeBody(body({ targets: [] }), now))?.[0]).toBe('/targets');
    const many = Array.from({ length: 51 }, (_, i) => ({ kind: 'account_id', value: `acc-${i}`, role: 'suspect' }));
    expect(field(() => validateIntakeBody(body({ targets: many }), now))?.[0]).toBe('/targets');
    const twice = [{ kind: 'username', value: 'x', role: 'suspect' }, { kind: 'username', value: 'x', role: 'victim' }];
    expect(field(() => validateIntakeBody(body({ targets: twice }), now))?.[0]).toBe('/targets/1');
  });

  it('bounds the period: ordered, at most 366 days, not in the future', () => {
    expect(field(() => validateIntakeBody(body({ period: { from: '2026-11-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z' } }), now))?.[0]).toBe('/period/to');
    expect(field(() => validateIntakeBody(body({ period: { from: '2025-01-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' } }), now))?.[0]).toBe('/period/to');
    expect(field(() => validateIntakeBody(body({ period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' } }), now))?.[0]).toBe('/period/to');
    expect(validateIntakeBody(body({ period: { from: '2025-11-29T00:00:00.000Z', to: '2026-11-29T00:00:00.000Z' } }), now).period.from).toBe('2025-11-29T00:00:00.000Z');
  });

  it('an emergency describes the risk and may come without its order; nothing else may', () => {
    const { document: _d, ...noDoc } = body().legalProcess as Record<string, unknown>;
    const emergency = body({ type: 'emergency', legalProcess: { ...noDoc, kind: 'emergency_letter' }, emergency: { description: 'Threat to kill posted with a date and place' } });
    expect(validateIntakeBody(emergency, now).type).toBe('emergency');
    expect(field(() => validateIntakeBody({ ...emergency, emergency: undefined }, now))?.[0]).toBe('/emergency');
    expect(field(() => validateIntakeBody(body({ emergency: { description: 'not an emergency at all' } }), now))?.[0]).toBe('/emergency');
    expect(field(() => validateIntakeBody(body({ legalProcess: noDoc }), now))?.[0]).toBe('/legalProcess/document');
  });

  it('reads documents as PDFs within 10 MB, by their first bytes', () => {
    expect(decodePdf({ base64: pdf }, '/legalProcess/document').subarray(0, 5).toString()).toBe('%PDF-');
    expect(field(() => decodePdf({ base64: Buffer.from('GIF89a....').toString('base64') }, '/legalProcess/document'))?.[0]).toBe('/legalProcess/document/base64');
    expect(field(() => decodePdf({ base64: 'not base64!' }, '/x'))?.[0]).toBe('/x/base64');
    const big = Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(10 * 1024 * 1024)]).toString('base64');
    expect(field(() => decodePdf({ base64: big }, '/x'))).toEqual(['/x/base64', expect.stringContaining('bytes at most')]);
    // A PDF just within the limit is read whole (no pattern that would overflow on megabytes).
    const near = Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(10 * 1024 * 1024 - 10)]);
    expect(decodePdf({ base64: near.toString('base64') }, '/x').length).toBe(near.length);
    expect(field(() => decodePdf({ base64: 'QUJD=QUJD' }, '/x'))?.[0]).toBe('/x/base64');
  });

  it('target decisions: not producing says why, producing says no reason', () => {
    expect(validateTargetDecisionBody({ produce: true })).toEqual({ produce: true });
    expect(field(() => validateTargetDecisionBody({ produce: false }))?.[0]).toBe('/reason');
    expect(field(() => validateTargetDecisionBody({ produce: true, reason: 'other' }))?.[0]).toBe('/reason');
  });

  it('information and follow-ups bring their document', () => {
    expect(field(() => validateInfoReceivedBody({ amend: { legalProcess: { kind: 'warrant', reference: 'x', issuedBy: 'y', issuedAt: '2026-11-02' } } }))?.[0]).toBe('/amend/legalProcess/document');
    expect(field(() => validateFollowUpBody({ legalProcess: { kind: 'warrant', reference: 'x', issuedBy: 'y', issuedAt: '2026-11-02' } }))?.[0]).toBe('/legalProcess/document');
  });

  it('list queries', () => {
    expect(validateLegalListQuery({ state: 'in_review,needs_info', size: '10' })).toEqual({ states: ['in_review', 'needs_info'], from: 0, size: 10 });
    expect(field(() => validateLegalListQuery({ state: 'in_review,bogus' }))?.[0]).toBe('/state');
  });
});
