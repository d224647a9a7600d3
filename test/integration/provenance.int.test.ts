import { caseIdFor } from '@takedown/shared';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';

// Who did something is taken from the token's person, never from a body.
let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('provenance');
});
afterAll(async () => {
  await p.stop();
});

const FORGED = ['createdBy', 'updatedBy', 'decidedBy', 'publishedBy', 'filedBy', 'requestedBy', 'revokedBy', 'disabledBy', 'actor', 'actorId'] as const;
const forgedValue = (field: string) => (field === 'filedBy' ? { tokenId: 't_forged', name: 'someone-else' } : 'someone-else');

describe('provenance fields cannot be forged', () => {
  it('every body that records who acted refuses a provenance field, naming it', async () => {
    expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-prov'))).status).toBe(202);
    await eventually(() => p.deps.cases.get(caseIdFor('post-prov')));
    const claimed = await claimCase(p, 'post-prov');
    const bodies: [string, string, string, Record<string, unknown>][] = [
      ['POST', '/v1/reports', p.tokens.reporter, reportBody('post-prov-2')],
      ['POST', '/v1/appeals', p.tokens.reporter, { contentId: 'post-prov', decisionId: 'd_x', reason: 'not fair' }],
      ['POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' }],
      ['POST', `/v1/review/${claimed.case.id}/release`, p.tokens.moderator, { leaseToken: claimed.lease.token }],
      ['POST', '/v1/people', p.tokens.admin, { displayName: 'Prov', roles: ['moderator'] }],
      ['PATCH', '/v1/people/moderator-1', p.tokens.admin, { displayName: 'Moderator One' }],
      ['POST', '/v1/people/moderator-1/tokens', p.tokens.admin, { role: 'moderator', name: 'prov-token' }],
      ['POST', '/v1/tokens', p.tokens.admin, { role: 'reporter', name: 'prov-token-2' }],
      ['POST', '/v1/rules/publish', p.tokens.lead, { note: 'x' }],
      ['POST', '/v1/rules/rollback', p.tokens.lead, { version: 1 }],
      ['POST', '/v1/rules/backfill', p.tokens.lead, { sweep: 'changed' }],
    ];
    for (const [method, path, token, body] of bodies) {
      for (const field of FORGED) {
        // POST /v1/tokens names the person a token is for in actorId: a target, not provenance.
        if (path === '/v1/tokens' && field === 'actorId') continue;
        const r = await p.call(method, path, token, { ...body, [field]: forgedValue(field) });
        expect({ path, field, status: r.status, named: r.body?.error?.field }).toEqual({ path, field, status: 400, named: `/${field}` });
      }
    }
  });

  it('rules take createdBy from the token, whatever the body says, and the draft records who edited it', async () => {
    const put = await p.call('PUT', '/v1/rules/draft/prov-rule', p.tokens.lead, { kind: 'term', pattern: 'provword', category: 'other', scope: ['query'], action: 'block_query', createdBy: 'someone-else', createdAt: '2000-01-01T00:00:00.000Z' });
    expect(put.status).toBe(201);
    expect(put.body.rule).toMatchObject({ createdBy: 'lead-1' });
    const imported = await p.call('POST', '/v1/rules/draft/import', p.tokens.lead, { format: 'json', content: JSON.stringify([{ id: 'prov-imported', kind: 'term', pattern: 'provword2', category: 'other', scope: ['query'], action: 'block_query', createdBy: 'someone-else' }]) });
    expect(imported.status).toBe(200);
    const draft = (await p.call('GET', '/v1/rules/draft', p.tokens.lead)).body;
    expect(draft.rules.find((r: { id: string }) => r.id === 'prov-imported')).toMatchObject({ createdBy: 'lead-1' });
    expect(draft.updatedBy).toBe('lead-1');
    const published = await p.call('POST', '/v1/rules/publish', p.tokens.lead, { note: 'provenance' });
    expect(published.status).toBe(201);
    const versions = (await p.call('GET', '/v1/rules/versions', p.tokens.lead)).body.versions;
    expect(versions[0]).toMatchObject({ publishedBy: 'lead-1' });
  });

  it('decisions, releases and reports record the person behind the token', async () => {
    expect((await p.call('POST', '/v1/reports', p.tokens.flagger, reportBody('post-prov-3'))).status).toBe(202);
    const c = await eventually(() => p.deps.cases.get(caseIdFor('post-prov-3')));
    const reports = await p.deps.cases.reports(c.id);
    expect(reports[0]?.filedBy).toMatchObject({ actorId: 'flagger-1' });
    const claimed = await claimCase(p, 'post-prov-3', p.tokens.moderator2);
    const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator2, { leaseToken: claimed.lease.token, action: 'keep', category: 'drugs', legalGround: 'No sale shown' });
    expect(d.status).toBe(201);
    expect(await p.deps.cases.decision(claimed.case.id, d.body.decisionId)).toMatchObject({ decidedBy: 'moderator-2' });
  });
});
