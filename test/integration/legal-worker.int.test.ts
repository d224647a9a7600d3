import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLegalMetrics, sweepLegal } from '@takedown/legal-worker';
import { ElasticsearchSubscriberSource, Registry, publicKeyPem, verifyDisclosurePackage, type SignIn } from '@takedown/shared';
import { parsePrometheusText, type MetricFamily } from '../support/prometheus-text';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { approveWithTwo, fileRequest, intakeBody, seedSubscribers } from '../support/legal';
import { startLegalWorker, type LegalWorkerHandle } from '../support/legal-worker';
import { eventually } from '../support/test-context';

/**
 * The legal worker against the real Redis and Elasticsearch, with the real
 * subscriber source and package crypto: a crash between approval and
 * enqueue, data minimisation (the package holds exactly what the source
 * holds for the approved accounts and period), user notices and gag orders,
 * emergencies, preservation and expiry, package download and retention.
 */

const DAY = 86400_000;
/** The built CLI (npm run build): what an agency runs. */
const CLI = path.resolve(__dirname, '..', '..', 'cli', 'bin', 'takedown.js');
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const ACCOUNTS = [
  { accountId: 'acc-1', username: 'suspect_one', phone: '+4915112345678', phoneCountry: 'DE' },
  { accountId: 'acc-2', username: 'suspect_two', phone: '+4915187654321', phoneCountry: 'DE' },
  { accountId: 'acc-3', username: 'victim_three', phone: '+33612345678', phoneCountry: 'FR' },
  { accountId: 'acc-4', username: 'bystander', phone: '+4917600000000', phoneCountry: 'DE' },
];
const SIGNINS = [
  { accountId: 'acc-1', ip: '198.51.100.9', at: ago(400) },
  { accountId: 'acc-1', ip: '203.0.113.7', at: ago(10) },
  { accountId: 'acc-1', ip: '2001:db8::1', at: ago(5) },
  { accountId: 'acc-2', ip: '203.0.113.8', at: ago(30) },
  { accountId: 'acc-2', ip: '203.0.113.8', at: ago(3) },
  { accountId: 'acc-3', ip: '192.0.2.33', at: ago(7) },
  { accountId: 'acc-4', ip: '192.0.2.44', at: ago(7) },
];

let p: Pipeline;
let w: LegalWorkerHandle;
let store: Pipeline['deps']['legal']['deps']['store'];
/** The legal worker's SLA metrics, on a registry of their own. */
const registry = new Registry();

beforeAll(async () => {
  p = await startPipeline('legal-worker');
  store = p.deps.legal.deps.store;
  await seedSubscribers(p, ACCOUNTS, SIGNINS);
  w = await startLegalWorker(p, { metrics: (deps) => createLegalMetrics(registry, deps.store) });
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

  it('holds exactly the approved targets’ IP addresses within the period and their phone numbers, as the source holds them, signed', async () => {
    const period = { from: ago(20), to: ago(4) };
    const { id } = await fileRequest(
      p,
      p.tokens.agency,
      intakeBody({
        period,
        targets: [
          { kind: 'username', value: 'suspect_one', role: 'suspect' },
          { kind: 'phone_number', value: '+4915187654321', role: 'suspect' },
          { kind: 'username', value: 'victim_three', role: 'victim' },
        ],
      }),
    );
    await approveWithTwo(p, id, { decisions: { 2: { produce: false, reason: 'not_named_as_suspect' } } });
    w.run();
    const r = await produced(id);
    const raw = await fetch(`${p.url}/v1/legal/requests/${id}/package`, { headers: { authorization: `Bearer ${p.tokens.legal}` } });
    expect(raw.status).toBe(200);
    const bytes = Buffer.from(await raw.arrayBuffer());
    const verified = verifyDisclosurePackage(bytes, createPublicKey(p.legalKeys.signingKey));
    if (!verified.ok) throw new Error(verified.reason);
    expect(verified.manifest.requestId).toBe(id);
    expect(verified.manifest.scope.accountIds).toEqual(['acc-1', 'acc-2']);
    // What the agency checks against: the file and the signed manifest, as recorded on the request and in the audit.
    expect(require('node:crypto').createHash('sha256').update(bytes).digest('hex')).toBe(r.package!.sha256);
    const manifestBytes = Buffer.from(JSON.parse(bytes.toString('utf8')).manifest, 'base64');
    expect(require('node:crypto').createHash('sha256').update(manifestBytes).digest('hex')).toBe(r.package!.manifestSha256);
    const file = (name: string) => JSON.parse(verified.files.find((f) => f.name === name)!.content.toString('utf8'));
    // The source's own answer for the approved accounts and the period, compared record by record.
    const source = new ElasticsearchSubscriberSource(p.ctx.es, { accountsIndex: p.subscriberIndices.accounts, signInsIndex: p.subscriberIndices.signIns, contentIndex: p.ctx.config.contentIndex });
    const expected: SignIn[] = [];
    for await (const page of source.signIns(['acc-1', 'acc-2'], r.effectivePeriod ?? r.period)) expected.push(...page);
    expect(file('ip-addresses.json')).toEqual(expected);
    // acc-1's two sign-ins within the period; none of acc-2's (30 and 3 days ago) nor acc-1's of 400 days ago.
    expect(expected.map((x) => x.ip).sort()).toEqual(['2001:db8::1', '203.0.113.7']);
    expect(file('phone-numbers.json')).toEqual(await source.phoneOf(['acc-1', 'acc-2']));
    // Nothing of the withheld victim or of any other account.
    const text = verified.files.map((f) => f.content.toString('utf8')).join('\n');
    for (const other of ['acc-3', 'acc-4', '+33612345678', '192.0.2.33', '192.0.2.44', '198.51.100.9']) expect({ other, present: text.includes(other) }).toEqual({ other, present: false });
    expect(r.package!.counts).toEqual({ accounts: 2, ipAddresses: expected.length, phoneNumbers: 2 });
    // What the agency runs on it: `takedown legal verify` (the built CLI) accepts it, and refuses it with one byte changed.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legal-worker-'));
    fs.writeFileSync(path.join(dir, 'key.pem'), publicKeyPem(p.legalKeys.signingKey));
    fs.writeFileSync(path.join(dir, 'package.json'), bytes);
    const bad = Buffer.from(bytes);
    const at = Math.floor(bad.length / 2);
    bad[at] = (bad[at] as number) ^ 1;
    fs.writeFileSync(path.join(dir, 'changed.json'), bad);
    // Spawned without blocking: this process also serves the API, and a blocked event loop lets the server's
    // keep-alive timer and the client's fire together, so the next request could go out on a closing socket.
    const verify = (file: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, 'legal', 'verify', path.join(dir, file), '--public-key', path.join(dir, 'key.pem')], { stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code));
      });
    expect([await verify('package.json'), await verify('changed.json')]).toEqual([0, 1]);
  });

  it('a package without a gag order makes its notices due at once; the notifier marks them delivered; the agency download delivers the request', async () => {
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ targets: [{ kind: 'username', value: 'suspect_one', role: 'suspect' }, { kind: 'username', value: 'suspect_two', role: 'suspect' }] }));
    await approveWithTwo(p, id);
    w.run();
    const r = await produced(id);
    expect(r.state).toBe('package_produced');
    expect(r.notices.map((n) => [n.id, n.state, n.accountId])).toEqual([
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
      intakeBody({ type: 'emergency', statesSuspect: false, legalProcess: { ...letter, kind: 'emergency_letter' }, targets: [{ kind: 'phone_number', value: '+33 6 12 34 56 78', role: 'victim' }], emergency: { description: 'Missing child, phone last active two hours ago' } }),
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
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ type: 'preservation', targets: [{ kind: 'account_id', value: 'acc-1', role: 'suspect' }], legalProcess: { ...intakeBody().legalProcess, kind: 'subpoena' } }));
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

  it('SLA metrics: open requests by state, the oldest awaiting an answer, those past their due date, the time to package', async () => {
    const scrape = async () => parsePrometheusText(await registry.metrics());
    const sum = (f: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) =>
      [...f.values()].flatMap((m) => m.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
    const countOf = (f: Map<string, MetricFamily>) => sum(f, 'takedown_legal_time_to_package_seconds_count');
    const before = await scrape();
    const { id } = await fileRequest(p, p.tokens.agency, intakeBody({ targets: [{ kind: 'username', value: 'suspect_one', role: 'suspect' }] }));
    const filed = await scrape();
    expect(sum(filed, 'takedown_legal_requests_open') - sum(before, 'takedown_legal_requests_open')).toBe(1);
    expect(sum(filed, 'takedown_legal_requests_overdue')).toBe(sum(before, 'takedown_legal_requests_overdue'));
    expect(sum(filed, 'takedown_legal_oldest_open_request_age_seconds')).toBeGreaterThanOrEqual(0);
    // Its due date passes (the agency asked for an answer by yesterday).
    await store.mutate(id, (r) => ({ ...r, dueAt: ago(1), times: { ...r.times, receivedAt: ago(3) } }));
    const late = await scrape();
    expect(sum(late, 'takedown_legal_requests_overdue') - sum(before, 'takedown_legal_requests_overdue')).toBe(1);
    expect(sum(late, 'takedown_legal_oldest_open_request_age_seconds')).toBeGreaterThanOrEqual(3 * 86400 - 60);
    await approveWithTwo(p, id);
    w.run();
    expect((await produced(id)).state).toBe('package_produced');
    const answered = await scrape();
    // Answered: no longer overdue, still open (package_produced) until the agency downloads it.
    expect(sum(answered, 'takedown_legal_requests_overdue')).toBe(sum(before, 'takedown_legal_requests_overdue'));
    expect(sum(answered, 'takedown_legal_requests_open', { state: 'package_produced' }) - sum(before, 'takedown_legal_requests_open', { state: 'package_produced' })).toBe(1);
    expect(countOf(answered) - countOf(before)).toBe(1);
    expect(sum(answered, 'takedown_legal_time_to_package_seconds_sum') - sum(before, 'takedown_legal_time_to_package_seconds_sum')).toBeGreaterThanOrEqual(3 * 86400 - 60);
    expect(await registry.metrics()).not.toContain(id);
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
