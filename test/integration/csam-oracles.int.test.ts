import { caseIdFor, type CaseRecord } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';

// Oracles: numbers and ids that told a caller without the csam grant what
// restricted content says or how much of it there is (attack review F5-F7).
let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('csam-oracles');
});
afterAll(async () => {
  await p.stop();
});

async function caseWhen(contentId: string, ready: (c: CaseRecord) => boolean = () => true): Promise<CaseRecord> {
  return eventually(async () => {
    const c = await p.deps.cases.get(caseIdFor(contentId));
    return c && ready(c) ? c : undefined;
  });
}

describe('metrics: no csam decision or csam lease in the figures shown without the grant (F5)', () => {
  it('takedown_decisions_total and takedown_review_leases move for csam only for a caller with the grant', async () => {
    const read = async (token: string) => {
      const m = (await p.call('GET', '/metrics', token)).body as string;
      const removes = Number(/takedown_decisions_total\{action="remove"\} (\d+)/.exec(m)?.[1] ?? 0);
      const leases = Number(/takedown_review_leases (\d+)/.exec(m)?.[1] ?? 0);
      return { removes, leases };
    };
    const both = async () => ({ lead: await read(p.tokens.lead), cleared: await read(p.tokens.csamAdmin) });

    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-csam', { reason: 'csam', content: { id: 'f5-csam', type: 'post', text: 'f5 words', authorId: 'f5-author' } }));
    await caseWhen('f5-csam', (c) => c.lane === 'csam');
    const before = await both();
    const held = await claimCase(p, 'f5-csam', p.tokens.csamModerator, 'csam');
    const during = await both();
    const d = await p.call('POST', `/v1/review/${held.case.id}/decision`, p.tokens.csamModerator, { leaseToken: held.lease.token, action: 'remove', category: 'csam', legalGround: 'csam' });
    expect(d.status).toBe(201);
    // An automatic removal of known csam media (the hash scanner's report) is a csam decision too.
    const auto = await p.call('POST', '/v1/reports', p.tokens.detector, { content: { id: 'f5-media', type: 'media', mediaSha256: ['ab'.repeat(32)], authorId: 'f5-author' }, reporter: { id: 'hash-scanner' }, reason: 'other' });
    expect(auto.status).toBe(202);
    expect((await caseWhen('f5-media')).autoRemovedBy).toMatch(/^d_/);
    const after = await both();
    // Nothing csam moves for the uncleared lead...
    expect({ leaseDelta: during.lead.leases - before.lead.leases, removeDelta: after.lead.removes - before.lead.removes }).toEqual({ leaseDelta: 0, removeDelta: 0 });
    // ...while the cleared scraper counts the lease and both removals.
    expect({ leaseDelta: during.cleared.leases - before.cleared.leases, removeDelta: after.cleared.removes - before.cleared.removes }).toEqual({ leaseDelta: 1, removeDelta: 2 });

    // A case that is not csam moves both figures for everyone.
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-drugs', { content: { id: 'f5-drugs', type: 'post', text: 'selling cocaine f5', authorId: 'f5-author' } }));
    await caseWhen('f5-drugs');
    const plain = await claimCase(p, 'f5-drugs');
    const holding = await both();
    expect((await p.call('POST', `/v1/review/${plain.case.id}/decision`, p.tokens.moderator, { leaseToken: plain.lease.token, action: 'remove', category: 'drugs', legalGround: 'sale of drugs' })).status).toBe(201);
    const decided = await both();
    expect(holding.lead.leases - after.lead.leases).toBe(1);
    expect(holding.cleared.leases - after.cleared.leases).toBe(1);
    expect(decided.lead.removes - after.lead.removes).toBe(1);
    expect(decided.cleared.removes - after.cleared.removes).toBe(1);
    expect((await p.call('GET', '/metrics', p.tokens.lead)).body).not.toContain('csam');
  });

  it('a lease on a case that turns csam while held leaves the uncleared count at once', async () => {
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-turns', { content: { id: 'f5-turns', type: 'post', text: 'selling cocaine turns', authorId: 'f5-author' } }));
    await caseWhen('f5-turns');
    const leases = async () => Number(/takedown_review_leases (\d+)/.exec((await p.call('GET', '/metrics', p.tokens.lead)).body as string)?.[1]);
    const before = await leases();
    const held = await claimCase(p, 'f5-turns');
    expect(await leases()).toBe(before + 1);
    // A csam report arrives while it is held: the holder keeps the lease, the case is csam now.
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-turns', { reason: 'csam', reportId: 'f5-turns-csam', content: { id: 'f5-turns', type: 'post', text: 'selling cocaine turns', authorId: 'f5-author' } }));
    await caseWhen('f5-turns', (c) => c.reportCount === 2);
    expect(await leases()).toBe(before);
    await p.call('POST', `/v1/review/${held.case.id}/release`, p.tokens.moderator, { leaseToken: held.lease.token });
  });
});
