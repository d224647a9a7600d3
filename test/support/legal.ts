import type { Pipeline } from './pipeline';

const DAY = 86400_000;

/** A small but real PDF (what a scanned order is, minus the scan). */
export function tinyPdf(text = 'Order of the Amtsgericht (test)'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    'latin1',
  );
}

/** A records request on a court order naming one suspect, as an agency would file it (no agencyId: it comes from the token). */
export function intakeBody(extra: Record<string, unknown> = {}): Record<string, any> {
  const now = Date.now();
  return {
    type: 'records',
    requester: { name: 'KHK Example', email: 'khk.example@polizei.example' },
    legalProcess: { kind: 'court_order', reference: 'AG-2026-1234', issuedBy: 'Amtsgericht Tiergarten, Richterin Muster', issuedAt: '2026-11-01', document: { base64: tinyPdf().toString('base64'), filename: 'order.pdf' } },
    legalBasis: '§ 100g StPO',
    offenceCategory: 'drug_trafficking',
    statesSuspect: true,
    targets: [{ kind: 'username', value: 'dealer_one', role: 'suspect' }],
    dataRequested: ['ip_addresses', 'phone_number'],
    period: { from: new Date(now - 90 * DAY).toISOString(), to: new Date(now - DAY).toISOString() },
    nonDisclosureUntil: null,
    dueAt: new Date(now + 14 * DAY).toISOString(),
    ...extra,
  };
}

/** Files a request and returns its id (201 expected). */
export async function fileRequest(p: Pipeline, token: string, body: Record<string, unknown>): Promise<{ id: string; request: any }> {
  const r = await p.call('POST', '/v1/legal/requests', token, body);
  if (r.status !== 201) throw new Error(`intake answered ${r.status}: ${JSON.stringify(r.body)}`);
  return { id: r.body.request.id, request: r.body.request };
}

/** Starts the review, decides every target (produce unless said), and has two officers approve. */
export async function approveWithTwo(p: Pipeline, id: string, opts: { decisions?: Record<number, { produce: boolean; reason?: string }>; reviewer?: string; approvers?: [string, string] } = {}): Promise<any> {
  const reviewer = opts.reviewer ?? p.tokens.legal2;
  const [a, b] = opts.approvers ?? [p.tokens.legal2, p.tokens.legal3];
  const got = await p.call('GET', `/v1/legal/requests/${id}`, reviewer);
  if (got.body.request.state === 'acknowledged') expectOk(await p.call('POST', `/v1/legal/requests/${id}/start-review`, reviewer, {}));
  for (const t of got.body.request.targets as { index: number }[]) {
    expectOk(await p.call('POST', `/v1/legal/requests/${id}/targets/${t.index}/decision`, reviewer, opts.decisions?.[t.index] ?? { produce: true }));
  }
  expectOk(await p.call('POST', `/v1/legal/requests/${id}/approve`, a, {}));
  const second = await p.call('POST', `/v1/legal/requests/${id}/approve`, b, {});
  expectOk(second);
  return second.body.request;
}

function expectOk(r: { status: number; body: unknown }): void {
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(r.body)}`);
}

/** Writes accounts and sign-ins into the pipeline's subscriber indices, as the platform fills them (refreshed). */
export async function seedSubscribers(
  p: Pipeline,
  accounts: readonly { accountId: string; username?: string; phone?: string; phoneCountry?: string }[],
  signIns: readonly { accountId: string; ip: string; at: string }[],
): Promise<void> {
  const operations: object[] = [];
  for (const a of accounts) operations.push({ index: { _index: p.subscriberIndices.accounts, _id: a.accountId } }, { ...a, createdAt: '2024-01-01T00:00:00.000Z' });
  for (const s of signIns) operations.push({ index: { _index: p.subscriberIndices.signIns } }, s);
  if (operations.length > 0) {
    const r = await p.ctx.es.bulk({ operations, refresh: true });
    if (r.errors) throw new Error('seeding subscribers failed');
  }
}
