import { sweepLegal, type PackageBuilder, type SignInReader } from '@takedown/legal-worker';
import type { PackageReader, TargetResolver } from '@takedown/moderation-api';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { approveWithTwo, fileRequest, intakeBody } from '../support/legal';
import { startLegalWorker, type LegalWorkerHandle } from '../support/legal-worker';
import { eventually } from '../support/test-context';

/**
 * The legal worker against the real Redis and Elasticsearch: a crash
 * between approval and enqueue, user notices and gag orders, emergencies,
 * preservation and expiry, package download and retention.
 */

const DAY = 86400_000;
const ACCOUNTS: Record<string, { accountId: string; phoneCountry: string }> = {
  suspect_one: { accountId: 'acc-1', phoneCountry: 'DE' },
  suspect_two: { accountId: 'acc-2', phoneCountry: 'DE' },
  '+33612345678': { accountId: 'acc-3', phoneCountry: 'FR' },
};
const SIGNINS: Record<string, { ip: string; at: string }[]> = {
  'acc-1': [
    { ip: '203.0.113.7', at: new Date(Date.now() - 10 * DAY).toISOString() },
    { ip: '2001:db8::1', at: new Date(Date.now() - 5 * DAY).toISOString() },
    { ip: '198.51.100.9', at: new Date(Date.now() - 400 * DAY).toISOString() },
  ],
  'acc-2': [{ ip: '203.0.113.8', at: new Date(Date.now() - 3 * DAY).toISOString() }],
};

const resolver: TargetResolver = {
  async resolveTargets(targets) {
    return targets.map((t) => (ACCOUNTS[t.value] ? { resolved: true, ...ACCOUNTS[t.value]!, checkedAt: new Date().toISOString() } : { resolved: false, checkedAt: new Date().toISOString() }));
  },
  async dataHeld() {
    return { from: '2020-01-01T00:00:00.000Z', to: new Date().toISOString() };
  },
};

const signIns: SignInReader = {
  async *signIns(accountId, period) {
    for (const s of SIGNINS[accountId] ?? []) if (s.at >= period.from && s.at <= period.to) yield s;
  },
};

/** Packages as JSON of the produced targets: what this file checks is the worker around the builder. */
const builder: PackageBuilder = {
  async build(r) {
    const produced = r.targets.filter((t) => t.decision?.produce && t.resolution?.resolved).map((t) => ({ targetIndex: t.index, accountId: t.resolution!.accountId! }));
    const data = Buffer.from(JSON.stringify({ requestId: r.id, produced }));
    return { data, sealed: { alg: 'none' }, manifestSha256: require('node:crypto').createHash('sha256').update(data).digest('hex'), counts: { accounts: produced.length, ipAddresses: 0, phoneNumbers: produced.length }, produced };
  },
};

let p: Pipeline;
let w: LegalWorkerHandle;
let store: Pipeline['deps']['legal']['deps']['store'];

beforeAll(async () => {
  const reader: PackageReader = {
    async read(r) {
      const pkg = await store.getPackage(r.id);
      return pkg ? { data: pkg.data, contentType: 'application/json', filename: `${r.id}.json`, manifestSha256: pkg.manifestSha256 } : undefined;
    },
  };
  p = await startPipeline('legal-worker', { legalPorts: { resolver, packageReader: reader } });
  store = p.deps.legal.deps.store;
  w = await startLegalWorker(p, { builder, signIns });
});
afterAll(async () => {
  await w.stop();
  await p.stop();
});

const state = async (id: string) => (await store.get(id))?.record;
/** The request once its package job has completed (the job's last write waited for the refresh, so listings show it too). */
async function produced(id: string) {
  await eventually(async () => (await (await p.deps.legal.deps.packages.queue.getJob(id))?.getState()) === 'completed');
  return (await state(id))!;
}

describe('legal worker', () => {
  it('still builds the package when the process died between approval and enqueue', async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ targets: [{ kind: 'username', value: 'suspect_one', role: 'suspect' }] }));
    await approveWithTwo(p, id);
    // The crash: the approval is in the store, the job never reached Redis.
    await (await p.deps.legal.deps.packages.queue.getJob(id))?.remove();
    expect(await p.deps.legal.deps.packages.queue.getJob(id)).toBeUndefined();
    expect((await state(id))?.state).toBe('approved');
    w.run();
    const swept = await sweepLegal(w.deps, 0);
    expect(swept.packagesEnqueued).toContain(id);
    const built = await eventually(async () => ((await state(id))?.state === 'package_produced' ? state(id) : undefined));
    expect(built?.package).toMatchObject({ id, manifestSha256: expect.stringMatching(/^[a-f0-9]{64}$/), downloads: 0 });
    // Sweeping again finds nothing to do once the request shows its package (the read is a search: after its refresh).
    await eventually(async () => (await (await p.deps.legal.deps.packages.queue.getJob(id))?.getState()) === 'completed');
    await p.ctx.es.indices.refresh({ index: p.deps.indices.legalRequests });
    expect((await sweepLegal(w.deps, 0)).packagesEnqueued).not.toContain(id);
  });

  it('a package without a gag order makes its notices due at once; the notifier marks them delivered; the agency download delivers the request', async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ targets: [{ kind: 'username', value: 'suspect_one', role: 'suspect' }, { kind: 'username', value: 'suspect_two', role: 'suspect' }] }));
    await approveWithTwo(p, id);
    w.run();
    const r = await produced(id);
    expect(r.state).toBe('package_produced');
    expect(r!.notices.map((n) => [n.id, n.state, n.accountId])).toEqual([
      [`${id}.0`, 'due', 'acc-1'],
      [`${id}.1`, 'due', 'acc-2'],
    ]);
    const due = await p.call('GET', '/v1/legal/notices?state=due', p.tokens.legal);
    expect(due.body.notices.filter((n: { requestId: string }) => n.requestId === id)).toHaveLength(2);
    expect((await p.call('POST', `/v1/legal/notices/${id}.0/delivered`, p.tokens.legal, {})).body.notice).toMatchObject({ state: 'delivered', deliveredBy: 'legal-1' });
    expect((await p.call('POST', `/v1/legal/notices/${id}.0/delivered`, p.tokens.legal, {})).status).toBe(409);
    // Officers download without delivering; the agency's first download delivers.
    const byOfficer = await p.call('GET', `/v1/legal/requests/${id}/package`, p.tokens.legal);
    expect(byOfficer.status).toBe(200);
    expect((await state(id))?.state).toBe('package_produced');
    expect((await p.call('GET', `/v1/legal/requests/${id}/package`, p.tokens.agency2)).status).toBe(404);
    const byAgency = await p.call('GET', `/v1/legal/requests/${id}/package`, p.tokens.agency);
    expect(byAgency.status).toBe(200);
    expect(byAgency.headers.get('x-manifest-sha256')).toBe(r!.package!.manifestSha256);
    expect(await state(id)).toMatchObject({ state: 'delivered', package: { downloads: 2 } });
    await p.audit.flushOnce();
    await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
    const downloads = await p.ctx.es.search({ index: p.deps.indices.audit, query: { term: { type: 'legal.package.downloaded' } }, size: 10 });
    expect(downloads.hits.hits.map((h) => (h._source as { data: { requestId: string; role: string } }).data).filter((d) => d.requestId === id).map((d) => d.role)).toEqual(['legal', 'agency']);
  });

  it('a gag order holds the notices until its date, when a delayed job makes them due', async () => {
    const gagEnds = new Date(Date.now() + 2500).toISOString();
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ nonDisclosureUntil: gagEnds, targets: [{ kind: 'username', value: 'suspect_one', role: 'suspect' }] }));
    await approveWithTwo(p, id);
    w.run();
    const r = await eventually(async () => ((await state(id))?.state === 'package_produced' ? state(id) : undefined));
    expect(r!.notices).toEqual([expect.objectContaining({ state: 'held', heldBy: ['gag'] })]);
    // Scheduled right after the package is recorded.
    const job = await eventually(() => w.deps.notices.queue.getJob(`notice-${id}-${Date.parse(gagEnds)}`));
    expect(await job.getState()).toBe('delayed');
    const held = await p.call('GET', '/v1/legal/notices?state=held', p.tokens.legal);
    expect(held.body.notices.map((n: { id: string }) => n.id)).toContain(`${id}.0`);
    const due = await eventually(async () => {
      const d = await p.call('GET', '/v1/legal/notices?state=due', p.tokens.legal);
      return d.body.notices.find((n: { id: string }) => n.id === `${id}.0`);
    }, 15_000);
    expect(Date.parse(due.dueAt)).toBeGreaterThanOrEqual(Date.parse(gagEnds));
  });

  it('an emergency holds its notices until legal marks it over', async () => {
    const { document: _d, ...letter } = intakeBody().legalProcess;
    const { id } = await fileRequest(
      p,
      p.tokens.agency,
      intakeBody({ type: 'emergency', statesSuspect: false, legalProcess: { ...letter, kind: 'emergency_letter' }, targets: [{ kind: 'phone_number', value: '+33612345678', role: 'victim' }], emergency: { description: 'Missing child, phone last active two hours ago' } }),
    );
    await p.call('POST', `/v1/legal/requests/${id}/targets/0/decision`, p.tokens.legalEmergency, { produce: true });
    expect((await p.call('POST', `/v1/legal/requests/${id}/emergency-disclose`, p.tokens.legalEmergency, {})).status).toBe(200);
    w.run();
    const r = await produced(id);
    expect(r!.notices).toEqual([expect.objectContaining({ state: 'held', heldBy: ['emergency'] })]);
    const over = await p.call('POST', `/v1/legal/requests/${id}/emergency-over`, p.tokens.legal, { note: 'child found' });
    expect(over.body.request.notices).toEqual([expect.objectContaining({ state: 'due' })]);
  });

  it('preserves the targets’ sign-ins for the period (disclosing nothing), extends once, and deletes them when they expire', async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ type: 'preservation', targets: [{ kind: 'username', value: 'suspect_one', role: 'suspect' }], legalProcess: { ...intakeBody().legalProcess, kind: 'subpoena' } }));
    await approveWithTwo(p, id);
    w.run();
    await eventually(async () => (await (await w.deps.preservations.queue.getJob(id))?.getState()) === 'completed');
    const r = await state(id);
    // acc-1 signed in three times; one of them before the period.
    expect(r).toMatchObject({ state: 'approved', preservation: { signIns: 2, accounts: 1 } });
    expect(await store.countPreserved(id)).toBe(2);
    expect(r!.package).toBeUndefined();
    expect((await p.call('GET', `/v1/legal/requests/${id}/package`, p.tokens.agency)).body.error.code).toBe('package_not_ready');
    const extended = await p.call('POST', `/v1/legal/requests/${id}/preservation/extend`, p.tokens.agency, {});
    expect(Date.parse(extended.body.request.preservation.expiresAt) - Date.parse(r!.preservation!.expiresAt)).toBe(90 * DAY);
    expect((await p.call('POST', `/v1/legal/requests/${id}/preservation/extend`, p.tokens.legal, {})).body.error.code).toBe('already_extended');
    // 181 days on, the sweeper deletes the copies.
    w.deps.now = () => new Date(Date.now() + 181 * DAY);
    try {
      expect((await sweepLegal(w.deps, 30_000)).preservationsDeleted).toContain(id);
    } finally {
      delete w.deps.now;
    }
    expect(await store.countPreserved(id)).toBe(0);
    expect((await state(id))?.preservation?.deletedAt).toBeTruthy();
  });

  it('deletes packages after the retention period', async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ targets: [{ kind: 'username', value: 'suspect_two', role: 'suspect' }] }));
    await approveWithTwo(p, id);
    w.run();
    expect((await produced(id)).state).toBe('package_produced');
    w.deps.now = () => new Date(Date.now() + 31 * DAY);
    try {
      expect((await sweepLegal(w.deps, 30_000)).packagesDeleted).toContain(id);
    } finally {
      delete w.deps.now;
    }
    expect(await store.getPackage(id)).toBeUndefined();
    const gone = await p.call('GET', `/v1/legal/requests/${id}/package`, p.tokens.agency);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'package_deleted']);
  });
});
