import { PIPELINE_AGENCY, startPipeline, type Pipeline } from '../support/pipeline';
import { approveWithTwo, fileRequest, intakeBody, seedSubscribers, tinyPdf } from '../support/legal';

/**
 * The legal desk through the HTTP API against the real Redis and
 * Elasticsearch: intake, acknowledgement, the policy check, the two-person
 * rule, agency isolation, emergencies and their follow-up, the compare-and-set.
 */

const PHONE = '+4915112345678';
const USER = 'dealer_one';
/** Target values that must never show in an error body or an audit event. */
const VALUES = [PHONE, USER, 'acc-victim-7', 'missing_user', '+33612345678'];
const DAY = 86400_000;

let p: Pipeline;
const bodies: unknown[] = [];

beforeAll(async () => {
  p = await startPipeline('legal-desk');
  // The platform's accounts: the suspect (held sign-ins cover every period the tests ask for) and a victim.
  await seedSubscribers(
    p,
    [
      { accountId: 'acc-1', username: USER, phone: PHONE, phoneCountry: 'DE' },
      { accountId: 'acc-victim-7', username: 'victim7', phone: '+33612345678', phoneCountry: 'FR' },
    ],
    [
      { accountId: 'acc-1', ip: '203.0.113.7', at: new Date(Date.now() - 200 * DAY).toISOString() },
      { accountId: 'acc-1', ip: '198.51.100.7', at: new Date(Date.now() - 3600_000).toISOString() },
    ],
  );
});
afterAll(async () => {
  await p.stop();
});

/** Every call's answer is kept, so the last test can look for target values in all of them. */
async function call(method: string, path: string, token?: string, body?: unknown) {
  const r = await p.call(method, path, token, body);
  bodies.push(r.body);
  return r;
}

describe('legal desk', () => {
  it('takes a request from an agency token: its agency from the token, acknowledged on receipt, the document hashed', async () => {
    const before = Date.now();
    const r = await call('POST', '/v1/legal/requests', p.tokens.agency, intakeBody());
    expect(r.status).toBe(201);
    const req = r.body.request;
    expect(req).toMatchObject({ state: 'acknowledged', enteredVia: 'agency', agency: { id: PIPELINE_AGENCY.id, country: 'DE' }, blockingProblems: 0 });
    expect(Date.parse(req.times.acknowledgedAt)).toBeGreaterThanOrEqual(before);
    expect(req.times.acknowledgedAt).toBe(req.times.receivedAt);
    expect(req.legalProcess.document.sha256).toBe(require('node:crypto').createHash('sha256').update(tinyPdf()).digest('hex'));
    // The agency's view names no officer and no resolved account.
    expect(req.targets[0]).toEqual({ index: 0, kind: 'username', value: USER, valueSha256: expect.stringMatching(/^[a-f0-9]{64}$/), role: 'suspect' });
    // Durable before the 201: a fresh read finds it (Elasticsearch acknowledged the write).
    const stored = await p.deps.legal.deps.store.get(req.id);
    expect(stored?.record.state).toBe('acknowledged');
    // The document downloads as it was sent.
    const doc = await fetch(`${p.url}/v1/legal/requests/${req.id}/documents/${req.legalProcess.document.id}`, { headers: { authorization: `Bearer ${p.tokens.agency}` } });
    expect(doc.status).toBe(200);
    expect(Buffer.from(await doc.arrayBuffer()).equals(tinyPdf())).toBe(true);
  });

  it('an officer names the agency; an agency may not; unknown agencies and non-PDF documents are refused with their field', async () => {
    expect((await call('POST', '/v1/legal/requests', p.tokens.legal, intakeBody())).body.error.field).toBe('/agencyId');
    expect((await call('POST', '/v1/legal/requests', p.tokens.agency, intakeBody({ agencyId: PIPELINE_AGENCY.id }))).body.error.field).toBe('/agencyId');
    const unknown = await call('POST', '/v1/legal/requests', p.tokens.legal, intakeBody({ agencyId: 'no-such-agency' }));
    expect([unknown.status, unknown.body.error.code, unknown.body.error.field]).toEqual([400, 'unknown_agency', '/agencyId']);
    const gif = intakeBody({ agencyId: PIPELINE_AGENCY.id });
    gif.legalProcess.document.base64 = Buffer.from('GIF89a not a pdf').toString('base64');
    const notPdf = await call('POST', '/v1/legal/requests', p.tokens.legal, gif);
    expect([notPdf.status, notPdf.body.error.code, notPdf.body.error.field]).toEqual([400, 'not_a_pdf', '/legalProcess/document/base64']);
    const messages = await call('POST', '/v1/legal/requests', p.tokens.legal, intakeBody({ agencyId: PIPELINE_AGENCY.id, dataRequested: ['ip_addresses', 'messages'] }));
    expect([messages.status, messages.body.error.field]).toEqual([400, '/dataRequested/1']);
    const officer = await call('POST', '/v1/legal/requests', p.tokens.legal, intakeBody({ agencyId: PIPELINE_AGENCY.id }));
    expect(officer.status).toBe(201);
    expect(officer.body.request).toMatchObject({ enteredVia: 'legal', state: 'acknowledged' });
  });

  it('sends a records request without a judicial order back for information, or rejects it when policy says so', async () => {
    const subpoena = intakeBody({ legalProcess: { ...intakeBody().legalProcess, kind: 'subpoena' } });
    const asked = await call('POST', '/v1/legal/requests', p.tokens.agency, subpoena);
    expect(asked.status).toBe(201);
    expect(asked.body.request.state).toBe('needs_info');
    expect(asked.body.request.problems).toEqual([expect.objectContaining({ field: '/legalProcess/kind', code: 'not_judicial', outcome: 'needs_info' })]);
    const id = asked.body.request.id;
    // An answer that changes nothing goes back for information again; approval stays out of reach.
    const again = await call('POST', `/v1/legal/requests/${id}/info-received`, p.tokens.agency, { note: 'no order yet' });
    expect(again.body.request.state).toBe('needs_info');
    expect((await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal2, {})).status).toBe(409);
    // The court order arrives: the check passes and the review goes on.
    const fixed = await call('POST', `/v1/legal/requests/${id}/info-received`, p.tokens.legal, {
      note: 'court order received by post',
      amend: { legalProcess: { kind: 'court_order', reference: 'AG-2026-99', issuedBy: 'AG Tiergarten', issuedAt: '2026-11-20', document: { base64: tinyPdf('order 99').toString('base64') } } },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.request).toMatchObject({ state: 'in_review', problems: [], legalProcess: { kind: 'court_order', reference: 'AG-2026-99' } });
    const policy = p.deps.legal.deps.policy as { nonJudicialOutcome: string };
    policy.nonJudicialOutcome = 'reject';
    try {
      const rejected = await call('POST', '/v1/legal/requests', p.tokens.agency, subpoena);
      expect(rejected.body.request).toMatchObject({ state: 'rejected', rejection: { reason: 'not_judicial' } });
    } finally {
      policy.nonJudicialOutcome = 'needs_info';
    }
  });

  it('needs two different officers, neither the one who entered it; a second token of the same person is the same person', async () => {
    const { id } = await fileRequest(p, p.tokens.legal, intakeBody({ agencyId: PIPELINE_AGENCY.id }));
    await call('POST', `/v1/legal/requests/${id}/start-review`, p.tokens.legal2, {});
    await call('POST', `/v1/legal/requests/${id}/targets/0/decision`, p.tokens.legal2, { produce: true });
    const own = await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal, {});
    expect([own.status, own.body.error.code]).toEqual([403, 'entered_by_you']);
    const first = await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal2, {});
    expect(first.body.request).toMatchObject({ state: 'in_review', approvals: [expect.objectContaining({ by: 'legal-2' })] });
    const twice = await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal2, {});
    expect([twice.status, twice.body.error.code]).toEqual([403, 'already_approved']);
    // The same officer through another of their tokens.
    const second = await p.deps.tokens.issue('legal-2', { role: 'legal', name: 'legal-2-phone', createdBy: 'test' });
    const again = await call('POST', `/v1/legal/requests/${id}/approve`, second.token, {});
    expect([again.status, again.body.error.code]).toEqual([403, 'already_approved']);
    const done = await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal3, {});
    expect(done.body.request).toMatchObject({ state: 'approved', approvals: [expect.objectContaining({ by: 'legal-2' }), expect.objectContaining({ by: 'legal-3' })] });
    expect(done.body.request.times.approvedAt).toBeTruthy();
    // The package is built by a job named after the request.
    const job = await p.deps.legal.deps.packages.queue.getJob(id);
    expect(job?.data).toEqual({ requestId: id });
  });

  it('lets only one of two officers approving at once count; the other gets a 409 and may approve again', async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody());
    await call('POST', `/v1/legal/requests/${id}/start-review`, p.tokens.legal, {});
    await call('POST', `/v1/legal/requests/${id}/targets/0/decision`, p.tokens.legal, { produce: true });
    const [a, b] = await Promise.all([call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal2, {}), call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal3, {})]);
    const now = await call('GET', `/v1/legal/requests/${id}`, p.tokens.legal);
    if (a.status === 200 && b.status === 200) {
      // On a loaded machine the two requests can run one after the other: then both count, as two officers' approvals.
      expect(now.body.request).toMatchObject({ state: 'approved', approvals: [expect.anything(), expect.anything()] });
      return;
    }
    // At once: both read the same version, only the first write counts; the other is told the request changed.
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const lost = a.status === 409 ? a : b;
    expect(lost.body.error.code).toBe('request_changed');
    expect(now.body.request.approvals).toHaveLength(1);
    const retry = await call('POST', `/v1/legal/requests/${id}/approve`, a.status === 409 ? p.tokens.legal2 : p.tokens.legal3, {});
    expect(retry.body.request.state).toBe('approved');
  });

  it('decides every target before approval: only suspects are produced from a records request, and a changed decision takes back the approvals', async () => {
    const { id, request } = await fileRequest(
      p,
      p.tokens.agency,
      intakeBody({ targets: [{ kind: 'username', value: USER, role: 'suspect' }, { kind: 'account_id', value: 'acc-victim-7', role: 'victim' }, { kind: 'username', value: 'missing_user', role: 'suspect' }] }),
    );
    expect(request.problems.map((x: { field: string; code: string }) => [x.field, x.code])).toEqual([
      ['/targets/1/role', 'not_a_suspect'],
      ['/targets/2/value', 'target_unresolved'],
    ]);
    await call('POST', `/v1/legal/requests/${id}/start-review`, p.tokens.legal, {});
    const undecided = await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal2, {});
    expect([undecided.status, undecided.body.error.code, undecided.body.error.field]).toEqual([409, 'targets_undecided', '/targets/0/decision']);
    const victim = await call('POST', `/v1/legal/requests/${id}/targets/1/decision`, p.tokens.legal, { produce: true });
    expect([victim.status, victim.body.error.code, victim.body.error.field]).toEqual([409, 'not_a_suspect', '/targets/1/role']);
    const missing = await call('POST', `/v1/legal/requests/${id}/targets/2/decision`, p.tokens.legal, { produce: true });
    expect([missing.status, missing.body.error.code]).toEqual([409, 'target_unresolved']);
    const noReason = await call('POST', `/v1/legal/requests/${id}/targets/1/decision`, p.tokens.legal, { produce: false });
    expect([noReason.status, noReason.body.error.field]).toEqual([400, '/reason']);
    await call('POST', `/v1/legal/requests/${id}/targets/0/decision`, p.tokens.legal, { produce: true });
    await call('POST', `/v1/legal/requests/${id}/targets/1/decision`, p.tokens.legal, { produce: false, reason: 'not_named_as_suspect' });
    await call('POST', `/v1/legal/requests/${id}/targets/2/decision`, p.tokens.legal, { produce: false, reason: 'not_resolved' });
    expect((await call('POST', `/v1/legal/requests/${id}/approve`, p.tokens.legal2, {})).body.request.approvals).toHaveLength(1);
    const changed = await call('POST', `/v1/legal/requests/${id}/targets/2/decision`, p.tokens.legal, { produce: false, reason: 'outside_scope' });
    expect(changed.body.request.approvals).toEqual([]);
    expect(changed.body.request.history.at(-1)).toMatchObject({ event: 'approvals_withdrawn' });
    // The agency sees its targets' decisions, not who made them.
    const seen = await call('GET', `/v1/legal/requests/${id}`, p.tokens.agency);
    expect(seen.body.request.targets[1].decision).toEqual({ produce: false, reason: 'not_named_as_suspect' });
    expect(seen.body.request.approvals).toBe(0);
    expect(JSON.stringify(seen.body.request)).not.toContain('legal-1');
  });

  it("isolates agencies: another agency's request is a 404 on every path, and never listed", async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody());
    for (const [method, path, body] of [
      ['GET', `/v1/legal/requests/${id}`, undefined],
      ['GET', `/v1/legal/requests/${id}/package`, undefined],
      ['POST', `/v1/legal/requests/${id}/withdraw`, {}],
      ['POST', `/v1/legal/requests/${id}/info-received`, {}],
      ['POST', `/v1/legal/requests/${id}/follow-up`, { legalProcess: intakeBody().legalProcess }],
      ['POST', `/v1/legal/requests/${id}/preservation/extend`, {}],
    ] as const) {
      const r = await call(method, path, p.tokens.agency2, body);
      expect({ path, status: r.status, code: r.body.error.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    const listed = await call('GET', '/v1/legal/requests?size=100', p.tokens.agency2);
    expect(listed.body.requests.map((r: { id: string }) => r.id)).not.toContain(id);
    expect((await call('GET', `/v1/legal/requests?agency=${PIPELINE_AGENCY.id}`, p.tokens.agency2)).body).toEqual({ total: 0, requests: [] });
    const own = await call('GET', '/v1/legal/requests?size=100', p.tokens.agency);
    expect(own.body.requests.map((r: { id: string }) => r.id)).toContain(id);
    expect(own.body.requests.every((r: { agency: { id: string } }) => r.agency.id === PIPELINE_AGENCY.id)).toBe(true);
    // Listings carry no target values and no documents.
    expect(JSON.stringify(own.body)).not.toContain(USER);
    expect(JSON.stringify(own.body)).not.toContain('base64');
  });

  it('lists by state, agency and due date', async () => {
    const soon = new Date(Date.now() + 2 * 3600_000).toISOString();
    const { id } = await fileRequest(p, p.tokens.legal, intakeBody({ agencyId: 'pj-test', dueAt: soon }));
    const r = await call('GET', `/v1/legal/requests?state=acknowledged&agency=pj-test&dueBefore=${encodeURIComponent(new Date(Date.now() + 3 * 3600_000).toISOString())}`, p.tokens.legal);
    expect(r.body.requests.map((x: { id: string }) => x.id)).toEqual([id]);
    expect(r.body.requests[0]).toMatchObject({ state: 'acknowledged', agency: { id: 'pj-test' }, targets: 1, blockingProblems: 0, approvals: 0, overdue: false });
  });

  it('an emergency is disclosed at once by one officer holding the grant, then owes its legal process within 72 h and shows overdue until it has it', async () => {
    const { document: _d, ...letter } = intakeBody().legalProcess;
    const { id } = await fileRequest(
      p,
      p.tokens.agency,
      intakeBody({ type: 'emergency', statesSuspect: false, legalProcess: { ...letter, kind: 'emergency_letter' }, targets: [{ kind: 'phone_number', value: PHONE, role: 'victim' }], emergency: { description: 'Credible threat to life posted with time and place' } }),
    );
    await call('POST', `/v1/legal/requests/${id}/targets/0/decision`, p.tokens.legalEmergency, { produce: true });
    const plain = await call('POST', `/v1/legal/requests/${id}/emergency-disclose`, p.tokens.legal, {});
    expect([plain.status, plain.body.error.code]).toEqual([403, 'emergency_grant_required']);
    const before = Date.now();
    const disclosed = await call('POST', `/v1/legal/requests/${id}/emergency-disclose`, p.tokens.legalEmergency, {});
    expect(disclosed.body.request).toMatchObject({ state: 'approved', overdue: false, followUp: { state: 'owed' } });
    const due = Date.parse(disclosed.body.request.emergency.followUpDueAt);
    expect(due - before).toBeGreaterThanOrEqual(72 * 3600_000 - 1000);
    expect(due - before).toBeLessThan(72 * 3600_000 + 60_000);
    expect(await p.deps.legal.deps.packages.queue.getJob(id)).toBeTruthy();
    // 73 hours later, nothing has come.
    const desk = p.deps.legal;
    const realNow = desk.now;
    desk.now = () => new Date(Date.now() + 73 * 3600_000);
    try {
      const late = await call('GET', `/v1/legal/requests/${id}`, p.tokens.agency);
      expect(late.body.request).toMatchObject({ overdue: true, followUp: { state: 'overdue' } });
      const overdue = await call('GET', '/v1/legal/requests?overdue=true&size=100', p.tokens.legal);
      expect(overdue.body.requests.map((r: { id: string }) => r.id)).toContain(id);
      const attached = await call('POST', `/v1/legal/requests/${id}/follow-up`, p.tokens.agency, { legalProcess: intakeBody().legalProcess });
      expect(attached.body.request).toMatchObject({ overdue: false, followUp: { state: 'received' } });
      const after = await call('GET', '/v1/legal/requests?overdue=true&size=100', p.tokens.legal);
      expect(after.body.requests.map((r: { id: string }) => r.id)).not.toContain(id);
      const twice = await call('POST', `/v1/legal/requests/${id}/follow-up`, p.tokens.agency, { legalProcess: intakeBody().legalProcess });
      expect([twice.status, twice.body.error.code]).toEqual([409, 'follow_up_attached']);
    } finally {
      desk.now = realNow;
    }
  });

  it('rejects with a reason code from the vocabulary, and the agency may withdraw its own', async () => {
    const a = await fileRequest(p, p.tokens.agency, intakeBody());
    const bad = await call('POST', `/v1/legal/requests/${a.id}/reject`, p.tokens.legal, { reason: 'because' });
    expect([bad.status, bad.body.error.field]).toEqual([400, '/reason']);
    const rejected = await call('POST', `/v1/legal/requests/${a.id}/reject`, p.tokens.legal, { reason: 'overbroad', note: 'narrow the period' });
    expect(rejected.body.request).toMatchObject({ state: 'rejected', rejection: { reason: 'overbroad', by: 'legal-1' } });
    expect((await call('POST', `/v1/legal/requests/${a.id}/approve`, p.tokens.legal2, {})).status).toBe(409);
    const b = await fileRequest(p, p.tokens.agency, intakeBody());
    const withdrawn = await call('POST', `/v1/legal/requests/${b.id}/withdraw`, p.tokens.agency, { note: 'case closed' });
    expect(withdrawn.body.request.state).toBe('withdrawn');
  });

  it('agencies are registered by an admin; an agency person carries the grant of a registered one, an officer the emergency grant', async () => {
    const reg = await call('POST', '/v1/legal/agencies', p.tokens.admin, { id: 'ag-test-court', name: 'Landgericht (test)', country: 'DE', function: 'court' });
    expect(reg.status).toBe(201);
    expect((await call('POST', '/v1/legal/agencies', p.tokens.admin, { id: 'ag-test-court', name: 'again', country: 'DE', function: 'court' })).status).toBe(409);
    expect((await call('POST', '/v1/legal/agencies', p.tokens.admin, { id: 'ag-x', name: 'Nowhere', country: 'ZZ', function: 'court' })).body.error.field).toBe('/country');
    expect((await call('GET', '/v1/legal/agencies', p.tokens.legal)).body.agencies.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(['ag-test-court', PIPELINE_AGENCY.id]));
    const noGrant = await call('POST', '/v1/people', p.tokens.admin, { displayName: 'Clerk', roles: ['agency'] });
    expect([noGrant.status, noGrant.body.error.field]).toEqual([400, '/agency']);
    const unknown = await call('POST', '/v1/people', p.tokens.admin, { displayName: 'Clerk', roles: ['agency'], agency: 'nobody-registered' });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.field]).toEqual([400, 'unknown_agency', '/agency']);
    const clerk = await call('POST', '/v1/people', p.tokens.admin, { id: 'court-clerk', displayName: 'Clerk', roles: ['agency'], agency: 'ag-test-court' });
    expect(clerk.body.person.grants).toEqual({ agency: 'ag-test-court' });
    expect((await call('PATCH', '/v1/people/court-clerk', p.tokens.admin, { agency: PIPELINE_AGENCY.id })).body.person.grants).toEqual({ agency: PIPELINE_AGENCY.id });
    expect((await call('PATCH', '/v1/people/court-clerk', p.tokens.admin, { emergency: true })).body.error.field).toBe('/emergency');
    expect((await call('PATCH', '/v1/people/court-clerk', p.tokens.admin, { roles: ['legal'] })).body.error.field).toBe('/agency');
    const officer = await call('PATCH', '/v1/people/court-clerk', p.tokens.admin, { roles: ['legal'], agency: null, emergency: true });
    expect(officer.body.person).toMatchObject({ roles: ['legal'], grants: { emergency: true } });
    const token = await call('POST', '/v1/tokens', p.tokens.admin, { role: 'agency', name: 'ag-court-token' });
    expect([token.status, token.body.error.field]).toEqual([400, '/agency']);
  });

  it('publishes the quarter’s transparency figures to anyone, folding small countries, as JSON and CSV', async () => {
    // A hand-computed fixture in 2026-Q3, stored as the desk stores requests.
    const H = 3600_000;
    const record = (id: string, o: { received: string; ack: number; pkg?: number; state?: string; type?: string; gag?: boolean; targets: [string, string, boolean][] }) => {
      const receivedAt = o.received;
      const at = (h: number) => new Date(Date.parse(receivedAt) + h * H).toISOString();
      return {
        id,
        type: o.type ?? 'records',
        state: o.state ?? (o.pkg !== undefined ? 'package_produced' : 'rejected'),
        agency: { id: PIPELINE_AGENCY.id, name: PIPELINE_AGENCY.name, country: 'DE', function: 'law_enforcement' },
        requester: { name: 'x', email: 'x@example.org' },
        enteredBy: 'agency-1',
        enteredVia: 'agency',
        legalProcess: { kind: 'court_order', reference: id, issuedBy: 'AG', issuedAt: '2026-07-01' },
        legalBasis: 'x',
        offenceCategory: 'fraud',
        statesSuspect: true,
        targets: o.targets.map(([accountId, phoneCountry, produce], index) => ({
          index,
          kind: 'account_id',
          value: accountId,
          valueSha256: 'a'.repeat(64),
          role: 'suspect',
          resolution: { status: 'resolved', resolved: true, accounts: [{ accountId, phoneCountry }], checkedAt: receivedAt },
          decision: { produce, by: 'legal-2', at: receivedAt },
        })),
        dataRequested: ['ip_addresses'],
        period: { from: '2026-01-01T00:00:00.000Z', to: '2026-06-30T00:00:00.000Z' },
        nonDisclosureUntil: o.gag ? '2027-01-01T00:00:00.000Z' : null,
        dueAt: receivedAt,
        problems: [],
        approvals: [],
        times: { receivedAt, acknowledgedAt: at(o.ack), ...(o.pkg !== undefined ? { packageProducedAt: at(o.pkg) } : {}) },
        notices: [],
        history: [],
        updatedAt: receivedAt,
      };
    };
    const fixture = [
      record('lr-20260701-00000000a1', { received: '2026-07-01T00:00:00.000Z', ack: 1, pkg: 24, gag: true, targets: [['t1', 'DE', true], ['t2', 'DE', true], ['t3', 'DE', true]] }),
      record('lr-20260710-00000000a2', { received: '2026-07-10T00:00:00.000Z', ack: 3, pkg: 48, type: 'emergency', targets: [['t4', 'DE', true], ['t5', 'DE', true], ['t6', 'DE', false], ['n1', 'NL', true]] }),
      record('lr-20260801-00000000a3', { received: '2026-08-01T00:00:00.000Z', ack: 2, targets: [['t7', 'DE', false]] }),
      record('lr-20260802-00000000a4', { received: '2026-08-02T00:00:00.000Z', ack: 5, pkg: 12, targets: [['n2', 'NL', true], ['b1', 'BE', true]] }),
      // Q4: not in Q3.
      record('lr-20261001-00000000a5', { received: '2026-10-01T00:00:00.000Z', ack: 1, pkg: 2, targets: [['t8', 'DE', true]] }),
    ];
    for (const r of fixture) await p.deps.legal.deps.store.create(r as never);
    // DE: a1 a2 a3 — fulfilled a1 a2; users t1–t5 (5); rejected a3; emergency a2; gag a1; ack 1 2 3 → 2; fulfil 24 48 → 36.
    // other (NL 2 users, BE 1): a2 a4, fulfilled both, users n1 n2 b1 = 3 → "<5"; emergency a2 → "<5"; no medians.
    const r = await fetch(`${p.url}/v1/transparency/legal?period=2026-Q3`);
    expect(r.status).toBe(200);
    const report = (await r.json()) as { rows: unknown[] };
    expect(report.rows).toEqual([
      { country: 'DE', requestsReceived: 3, requestsFulfilled: 2, usersAffected: 5, rejected: 1, emergency: 1, withGagOrder: 1, medianHoursToAcknowledge: 2, medianHoursToFulfil: 36 },
      { country: 'other', requestsReceived: '<5', requestsFulfilled: '<5', usersAffected: '<5', rejected: 0, emergency: '<5', withGagOrder: 0, medianHoursToAcknowledge: null, medianHoursToFulfil: null },
    ]);
    const csv = await fetch(`${p.url}/v1/transparency/legal?period=2026-Q3&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n').filter(Boolean).slice(1)).toEqual(['2026-Q3,DE,3,2,5,1,1,1,2,36', '2026-Q3,other,<5,<5,<5,0,<5,0,,']);
    const bad = await fetch(`${p.url}/v1/transparency/legal?period=2026-Q5`);
    expect([bad.status, ((await bad.json()) as { error: { field: string } }).error.field]).toEqual([400, '/period']);
  });

  it('keeps target values out of every error body and every audit event', async () => {
    await p.audit.flushOnce();
    await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
    const events = await p.ctx.es.search({ index: p.deps.indices.audit, query: { prefix: { type: 'legal.' } }, size: 1000 });
    expect(events.hits.hits.length).toBeGreaterThan(20);
    const audit = JSON.stringify(events.hits.hits);
    const errors = JSON.stringify(bodies.filter((b) => (b as { error?: unknown })?.error));
    for (const v of VALUES) {
      expect({ v, inAudit: audit.includes(v) }).toEqual({ v, inAudit: false });
      expect({ v, inErrors: errors.includes(v) }).toEqual({ v, inErrors: false });
    }
    // Audit events name targets by index and hash.
    const received = events.hits.hits.map((h) => h._source as { type: string; data: { targets?: { sha256: string }[] } }).find((e) => e.type === 'legal.request.received');
    expect(received?.data.targets?.[0]?.sha256).toMatch(/^[a-f0-9]{64}$/);
  });
});
