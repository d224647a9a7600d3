import { ROLES, caseIdFor, type Role } from '@takedown/shared';
import { ACCESS, type Endpoint } from '@takedown/moderation-api';
import { eventually } from '../support/test-context';
import { PIPELINE_AGENCY, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { intakeBody } from '../support/legal';

let p: Pipeline;
/** One person holding every role, with one token per role: each token must act in its own role only. */
const multi: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  p = await startPipeline('roles');
  await p.deps.tokens.people.create({ id: 'everyrole', displayName: 'Holds every role', roles: [...ROLES], grants: { agency: PIPELINE_AGENCY.id } }, 'test');
  for (const role of ROLES) multi[role] = (await p.deps.tokens.issue('everyrole', { role, name: `everyrole-${role}`, createdBy: 'test' })).token;
});
afterAll(async () => {
  await p.stop();
});

/** A plausible request for each endpoint; allowed roles may still get 4xx for state, never 401/403. */
function requestFor(endpoint: Endpoint): { method: string; path: string; body?: unknown } {
  const [method, template] = endpoint.split(' ') as [string, string];
  const caseId = caseIdFor('post-roles');
  const path =
    template
      .replace(':caseId', caseId)
      .replace(':idOrName', 'nobody')
      .replace(':actorId', 'nobody')
      .replace(':ruleId', 'matrix-rule')
      .replace(':featureKey', 'matrix_feature')
      .replace(':version', '1')
      .replace(':index', '0')
      // The legal desk: a request id of the right shape that names no request (404 for the roles admitted).
      .replace(':requestId', 'lr-20261130-00000000ff')
      .replace(':noticeId', 'lr-20261130-00000000ff.0')
      .replace(':documentId', 'nothing')
      .replace(':agencyId', 'nobody')
      // A report id no token filed: 404 for the roles admitted.
      .replace(':reportId', 'matrix-report')
      .replace(':puid', 'matrix-puid') + (endpoint === 'GET /v1/transparency/legal' || endpoint === 'GET /v1/transparency/dsa' ? '?period=2026-Q3' : '') + (endpoint === 'GET /v1/features/evaluate' ? '?country=DE&platform=ios' : '') + (endpoint === 'GET /v1/statements' ? '?status=failed' : '');
  const bodies: Partial<Record<Endpoint, unknown>> = {
    'POST /v1/reports': reportBody('post-roles'),
    // A 1×1 PNG: every admitted role gets its hash (200).
    'POST /v1/media/pdq': { image: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' },
    'POST /v1/appeals': { contentId: 'post-roles', decisionId: 'd_x', reason: 'not fair' },
    'POST /v1/review/claim': { queue: 'default' },
    'POST /v1/review/:caseId/heartbeat': { leaseToken: 'x' },
    'POST /v1/review/:caseId/release': { leaseToken: 'x' },
    'POST /v1/review/:caseId/decision': { leaseToken: 'x', action: 'keep', category: 'drugs', legalGround: 'none found' },
    'POST /v1/tokens': { role: 'reporter', name: `matrix-${Math.random().toString(36).slice(2)}` },
    'POST /v1/people': { displayName: `Matrix ${Math.random().toString(36).slice(2)}`, roles: ['moderator'] },
    'PATCH /v1/people/:actorId': { displayName: 'Renamed' },
    'POST /v1/people/:actorId/tokens': { role: 'moderator', name: `matrix-${Math.random().toString(36).slice(2)}` },
    'PUT /v1/rules/draft/:ruleId': { kind: 'term', pattern: 'matrixword', category: 'drugs', scope: ['query'], action: 'block_query' },
    'POST /v1/rules/draft/import': { format: 'json', content: '[]' },
    'PUT /v1/rules/draft-emoji': { emojiWords: { '❄': 'cocaine' } },
    'POST /v1/rules/publish': {},
    'POST /v1/rules/rollback': { version: 1 },
    'POST /v1/review/:caseId/reveal': { leaseToken: 'x', index: 0 },
    'POST /v1/rules/backfill': { sweep: 'changed' },
    'PUT /v1/features/draft/:featureKey': {
      description: 'matrix feature',
      default: 'on',
      failMode: 'open',
      rules: [{ id: 'de-off', countries: ['DE'], state: 'off', reason: 'matrix check', legalBasis: { text: 'matrix', reference: 'M-1' } }],
    },
    'POST /v1/features/publish': { note: 'matrix check' },
    'POST /v1/features/rollback': { version: 1, note: 'matrix check' },
    // A feature that may not be published (404 for the roles admitted): the matrix checks access, not state.
    'POST /v1/uploads/check': { feature: 'matrix_feature', country: 'DE', accountId: 'acct-matrix', media: { sha256: 'a'.repeat(64), size: 10, mime: 'image/png' } },
    // Not across the csam line: refused for its state (409), so no role changes the case for the next.
    'POST /v1/cases/:caseId/category-move': { to: 'drugs', reason: 'matrix check' },
    'POST /v1/cases/:caseId/category-move/confirm': { confirm: false },
    'POST /v1/legal/agencies': { id: `matrix-${Math.random().toString(36).slice(2)}`, name: 'Matrix court', country: 'DE', function: 'court' },
    // No agencyId: an agency's comes from its token (201); an officer must name one (400).
    'POST /v1/legal/requests': intakeBody(),
    'POST /v1/legal/requests/:requestId/start-review': {},
    'POST /v1/legal/requests/:requestId/request-info': { note: 'matrix' },
    'POST /v1/legal/requests/:requestId/info-received': { note: 'matrix' },
    'POST /v1/legal/requests/:requestId/targets/:index/decision': { produce: true },
    'POST /v1/legal/requests/:requestId/approve': {},
    'POST /v1/legal/requests/:requestId/emergency-disclose': {},
    'POST /v1/legal/requests/:requestId/reject': { reason: 'other' },
    'POST /v1/legal/requests/:requestId/withdraw': {},
    'POST /v1/legal/requests/:requestId/follow-up': { legalProcess: intakeBody().legalProcess },
    'POST /v1/legal/requests/:requestId/emergency-over': {},
    'POST /v1/legal/requests/:requestId/preservation/extend': {},
    'POST /v1/legal/requests/:requestId/delivered': { channel: 'matrix' },
    'POST /v1/legal/notices/:noticeId/delivered': {},
    'POST /v1/statements/:puid/requeue': {},
    'POST /v1/statements/:puid/rebuild': {},
  };
  return { method, path, body: bodies[endpoint] };
}

describe('role matrix: every endpoint × every role', () => {
  const endpoints = Object.keys(ACCESS) as Endpoint[];

  it.each(endpoints)('%s admits exactly its roles', async (endpoint) => {
    const allowed = ACCESS[endpoint];
    const { method, path, body } = requestFor(endpoint);
    const outcome: Record<string, number> = {};
    for (const role of ROLES) outcome[role] = (await p.call(method, path, p.tokens[role], body)).status;
    // The same endpoint through the every-role person's token of each role: its role decides, not the person's others.
    for (const role of ROLES) outcome[`everyrole:${role}`] = (await p.call(method, path, multi[role], body)).status;
    outcome['none'] = (await p.call(method, path, undefined, body)).status;
    outcome['revoked'] = (await p.call(method, path, 'tdk_admin_not-a-real-token', body)).status;
    if (endpoint === 'GET /readyz') {
      // A public probe: 503 while a dependency is down (no worker heartbeats here), but the same answer to everyone, token or not.
      expect(new Set(Object.values(outcome))).toEqual(new Set([outcome['none']]));
      expect([200, 503]).toContain(outcome['none']);
      return;
    }
    for (const [who, status] of Object.entries(outcome)) {
      if (allowed === 'public') {
        expect({ who, status }).toEqual({ who, status: 200 });
      } else if (who === 'none' || who === 'revoked') {
        expect({ who, status }).toEqual({ who, status: 401 });
      } else if ((allowed as readonly string[]).includes(who.replace(/^everyrole:/, ''))) {
        expect({ who, forbidden: status === 401 || status === 403 || status === 500 }).toEqual({ who, forbidden: false });
      } else {
        expect({ who, status }).toEqual({ who, status: 403 });
      }
    }
  });

  it('keeps every endpoint that shows or moves a case behind the csam grant, for every role it admits', async () => {
    const r = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-csam-matrix', { reason: 'csam', content: { id: 'post-csam-matrix', type: 'post', text: 'matrix', authorId: 'matrix', mediaSha256: ['cd'.repeat(32)] } }));
    expect(r.status).toBe(202);
    const caseId = caseIdFor('post-csam-matrix');
    await eventually(() => p.deps.cases.get(caseId));
    const paths: [Endpoint, unknown][] = [
      ['GET /v1/cases/:caseId', undefined],
      ['GET /v1/cases/:caseId/media/:index', undefined],
      ['POST /v1/review/:caseId/heartbeat', { leaseToken: 'x' }],
      ['POST /v1/review/:caseId/reveal', { leaseToken: 'x', index: 0 }],
      ['POST /v1/review/:caseId/decision', { leaseToken: 'x', action: 'remove', category: 'csam', legalGround: 'Child sexual abuse material' }],
      ['POST /v1/cases/:caseId/category-move', { to: 'other', reason: 'matrix check' }],
      ['POST /v1/cases/:caseId/category-move/confirm', { confirm: false }],
    ];
    const uncleared: Record<string, string> = { moderator: p.tokens.moderator, lead: p.tokens.lead, admin: p.tokens.admin };
    const cleared: Record<string, string> = { moderator: p.tokens.csamModerator, lead: p.tokens.csamLead, admin: p.tokens.csamAdmin };
    for (const [endpoint, body] of paths) {
      const [method, template] = endpoint.split(' ') as [string, string];
      const path = template.replace(':caseId', caseId).replace(':index', '0');
      for (const role of ACCESS[endpoint] as readonly string[]) {
        const refused = await p.call(method, path, uncleared[role], body);
        expect({ endpoint, role, status: refused.status, code: refused.body?.error?.code }).toEqual({ endpoint, role, status: 403, code: 'csam_not_allowed' });
        // The move the cleared moderator asked for above is confirmed by another cleared person.
        const token = endpoint.endsWith('/confirm') && role === 'moderator' ? p.tokens.csamModerator2 : cleared[role];
        const admitted = await p.call(method, path, token, body);
        expect({ endpoint, role, refused: admitted.status === 401 || admitted.status === 403 }).toEqual({ endpoint, role, refused: false });
      }
    }
    // Claims from the csam lane, and the figures of it.
    expect((await p.call('POST', '/v1/review/claim', p.tokens.moderator, { queue: 'csam' })).status).toBe(403);
    for (const role of ['moderator', 'lead', 'admin']) {
      const queues = (await p.call('GET', '/v1/queues', uncleared[role])).body.queues.map((q: { queue: string }) => q.queue);
      expect({ role, csam: queues.includes('csam') }).toEqual({ role, csam: false });
      expect({ role, csam: (await p.call('GET', '/v1/queues', cleared[role])).body.queues.some((q: { queue: string }) => q.queue === 'csam') }).toEqual({ role, csam: true });
    }
    for (const role of ['lead', 'admin']) {
      expect({ role, csam: JSON.stringify((await p.call('GET', '/v1/stats', uncleared[role])).body).includes('csam') }).toEqual({ role, csam: false });
      expect({ role, csam: ((await p.call('GET', '/metrics', uncleared[role])).body as string).includes('queue="csam"') }).toEqual({ role, csam: false });
      expect({ role, csam: ((await p.call('GET', '/metrics', cleared[role])).body as string).includes('queue="csam"') }).toEqual({ role, csam: true });
    }
  });

  it('refuses a revoked token', async () => {
    const { token } = await p.deps.tokens.create({ role: 'reporter', name: 'to-revoke', createdBy: 'test' });
    expect((await p.call('POST', '/v1/reports', token, reportBody('post-rev'))).status).toBe(202);
    const r = await p.call('DELETE', '/v1/tokens/to-revoke', p.tokens.admin);
    expect(r.status).toBe(200);
    expect(r.body.record.revokedAt).toBeTruthy();
    const after = await p.call('POST', '/v1/reports', token, reportBody('post-rev'));
    expect([after.status, after.body.error.code]).toEqual([401, 'invalid_token']);
  });

  it('never stores or returns a token in clear after creation, and audits token changes', async () => {
    const created = await p.call('POST', '/v1/tokens', p.tokens.admin, { role: 'lead', name: 'lead-audit' });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^tdk_lead_/);
    const listed = JSON.stringify((await p.call('GET', '/v1/tokens', p.tokens.admin)).body);
    expect(listed).not.toContain(token);
    const stored = JSON.stringify(await p.ctx.redis.hgetall(p.deps.cases.keys.tokens));
    expect(stored).not.toContain(token);
    await p.audit.flushOnce();
    await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
    const events = await p.ctx.es.search({ index: p.deps.indices.audit, query: { term: { type: 'token.created' } }, size: 100 });
    expect(JSON.stringify(events.hits.hits)).toContain('lead-audit');
    expect(JSON.stringify(events.hits.hits)).not.toContain(token);
  });

  it('keeps 500s opaque and unknown routes in the JSON error shape', async () => {
    const r = await p.call('GET', '/v1/nothing-here', p.tokens.admin);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});
