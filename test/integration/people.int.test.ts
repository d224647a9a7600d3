import { caseIdFor, hashToken, migrateLegacyTokens, verifyAuditChain, type AuditEvent, type TokenRecord } from '@takedown/shared';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';

let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('people');
});
afterAll(async () => {
  await p.stop();
});

const admin = (method: string, path: string, body?: unknown) => p.call(method, path, p.tokens.admin, body);

async function person(body: Record<string, unknown>): Promise<string> {
  const r = await admin('POST', '/v1/people', body);
  expect(r.status).toBe(201);
  return r.body.person.id as string;
}

async function token(actorId: string, role: string, name: string): Promise<string> {
  const r = await admin('POST', `/v1/people/${actorId}/tokens`, { role, name });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

async function decided(contentId: string, moderatorToken: string): Promise<{ caseId: string; decisionId: string }> {
  expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody(contentId))).status).toBe(202);
  await eventually(() => p.deps.cases.get(caseIdFor(contentId)));
  const claimed = await claimCase(p, contentId, moderatorToken);
  const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, moderatorToken, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' });
  expect(d.status).toBe(201);
  await eventually(async () => (await p.deps.cases.decision(claimed.case.id, d.body.decisionId))?.appliedAt);
  return { caseId: claimed.case.id, decisionId: d.body.decisionId };
}

async function appeal(contentId: string, decisionId: string): Promise<void> {
  const a = await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId, decisionId, reason: 'I was selling sugar' });
  expect(a.status).toBe(202);
}

describe('people: tokens belong to a person', () => {
  it('one person, several tokens in several roles: each token acts in its own role, all as the same actor', async () => {
    const id = await person({ id: 'alice', displayName: 'Alice Example', email: 'alice@example.org', roles: ['moderator', 'lead'] });
    const laptop = await token(id, 'moderator', 'alice-laptop');
    const phone = await token(id, 'moderator', 'alice-phone');
    const lead = await token(id, 'lead', 'alice-lead');
    const me = await Promise.all([laptop, phone, lead].map(async (t) => (await p.call('GET', '/v1/me', t)).body));
    expect(me.map((m) => [m.actorId, m.name, m.role, m.tokenName])).toEqual([
      ['alice', 'Alice Example', 'moderator', 'alice-laptop'],
      ['alice', 'Alice Example', 'moderator', 'alice-phone'],
      ['alice', 'Alice Example', 'lead', 'alice-lead'],
    ]);
    // A token acts in its one role, whatever else its person holds.
    expect((await p.call('POST', '/v1/review/claim', lead, { queue: 'default' })).status).toBe(403);
    expect((await p.call('GET', '/v1/rules/draft', laptop)).status).toBe(403);
    expect((await p.call('GET', '/v1/rules/draft', lead)).status).toBe(200);
    // A role the person does not hold cannot be issued.
    const refused = await admin('POST', `/v1/people/${id}/tokens`, { role: 'admin', name: 'alice-admin' });
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([409, 'role_not_held', 'role']);
    const listed = await admin('GET', `/v1/people/${id}`);
    expect(listed.body.person.tokens.map((t: TokenRecord) => t.name).sort()).toEqual(['alice-laptop', 'alice-lead', 'alice-phone']);
    expect(JSON.stringify(listed.body)).not.toContain(laptop);
  });

  it('an appeal is never decided by the person who decided it, whichever of their tokens they use (Art. 20)', async () => {
    const id = await person({ id: 'bob', displayName: 'Bob', roles: ['moderator'] });
    const first = await token(id, 'moderator', 'bob-desk');
    const second = await token(id, 'moderator', 'bob-home');
    const { caseId, decisionId } = await decided('post-people-art20', first);
    await appeal('post-people-art20', decisionId);
    // Bob's other token is not handed the appeal by claim …
    const claim = await p.call('POST', '/v1/review/claim', second, { queue: 'appeals' });
    expect(claim.status === 204 || claim.body.case.id !== caseId).toBe(true);
    if (claim.status === 200) await p.call('POST', `/v1/review/${claim.body.case.id}/release`, second, { leaseToken: claim.body.lease.token });
    // … and another person decides it.
    const other = await claimCase(p, 'post-people-art20', p.tokens.moderator2, 'appeals');
    const keep = await p.call('POST', `/v1/review/${other.case.id}/decision`, p.tokens.moderator2, { leaseToken: other.lease.token, action: 'keep', category: 'drugs', legalGround: 'Appeal upheld' });
    expect(keep.status).toBe(201);
    expect((await p.deps.cases.decisions(caseId)).map((d) => d.decidedBy)).toEqual(['bob', 'moderator-2']);
  });

  it('grants belong to the person: granting csam clears every token of theirs; dropping a role ends its tokens at once', async () => {
    const id = await person({ id: 'carol', displayName: 'Carol', roles: ['moderator', 'lead'] });
    const a = await token(id, 'moderator', 'carol-a');
    const b = await token(id, 'moderator', 'carol-b');
    const lead = await token(id, 'lead', 'carol-lead');
    for (const t of [a, b]) expect((await p.call('POST', '/v1/review/claim', t, { queue: 'csam' })).status).toBe(403);
    const patched = await admin('PATCH', `/v1/people/${id}`, { csam: true, roles: ['moderator'] });
    expect(patched.status).toBe(200);
    // A clearance waits for a second admin; the role change is at once, and its tokens are revoked, not merely dead.
    expect(patched.body.person).toMatchObject({ roles: ['moderator'], grants: {}, pendingCsamGrant: { requestedBy: 'admin-1' }, updatedBy: 'admin-1' });
    expect(patched.body.person.tokens.find((t: TokenRecord) => t.name === 'carol-lead').revokedAt).toBeTruthy();
    for (const t of [a, b]) expect((await p.call('POST', '/v1/review/claim', t, { queue: 'csam' })).status).toBe(403);
    const own = await admin('POST', `/v1/people/${id}/csam-grant`, { confirm: true });
    expect([own.status, own.body.error.code]).toEqual([403, 'same_person']);
    const confirmed = await p.call('POST', `/v1/people/${id}/csam-grant`, p.tokens.csamAdmin, { confirm: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.person.grants).toEqual({ csam: true });
    expect(confirmed.body.person.pendingCsamGrant).toBeUndefined();
    for (const t of [a, b]) expect([204, 200]).toContain((await p.call('POST', '/v1/review/claim', t, { queue: 'csam' })).status);
    expect((await p.call('GET', '/v1/me', lead)).status).toBe(401);
    // Giving the lead role back never revives the old lead token.
    expect((await admin('PATCH', `/v1/people/${id}`, { roles: ['moderator', 'lead'] })).status).toBe(200);
    expect((await p.call('GET', '/v1/me', lead)).status).toBe(401);
  });

  it('disabling a person ends every token of theirs; an admin cannot lock themselves out', async () => {
    const id = await person({ displayName: 'Dave Q. Moderator', roles: ['moderator'] });
    expect(id).toBe('dave-q.-moderator');
    const tokens = [await token(id, 'moderator', 'dave-1'), await token(id, 'moderator', 'dave-2')];
    const off = await admin('DELETE', `/v1/people/${id}`);
    expect([off.status, off.body.tokensRevoked, Boolean(off.body.person.disabledAt)]).toEqual([200, 2, true]);
    for (const t of tokens) expect((await p.call('GET', '/v1/me', t)).status).toBe(401);
    // Ids are never reused, and a disabled person gets no new token.
    expect((await admin('POST', '/v1/people', { id, displayName: 'Other Dave', roles: ['moderator'] })).status).toBe(409);
    expect((await admin('POST', `/v1/people/${id}/tokens`, { role: 'moderator', name: 'dave-3' })).body.error.code).toBe('person_disabled');

    const self = (await p.call('GET', '/v1/me', p.tokens.admin)).body.actorId as string;
    // Swapping one's admin role for another is a self-change; dropping it from two is a lockout.
    expect((await admin('PATCH', `/v1/people/${self}`, { roles: ['lead'] })).body.error.code).toBe('self_change');
    await person({ id: 'two-hats', displayName: 'Two Hats', roles: ['admin', 'lead'] });
    const twoHats = await token('two-hats', 'admin', 'two-hats-admin');
    const drop = await p.call('PATCH', '/v1/people/two-hats', twoHats, { roles: ['lead'] });
    expect([drop.status, drop.body.error.code, drop.body.error.field]).toEqual([409, 'self_lockout', '/roles']);
    expect((await admin('DELETE', `/v1/people/${self}`)).body.error.code).toBe('self_lockout');
  });

  it('separation of duties: an admin cannot give themselves a role or the csam clearance, nor clear a person alone', async () => {
    const fresh = (await admin('POST', '/v1/tokens', { role: 'admin', name: 'sod-admin' })).body;
    const self = fresh.person.id as string;
    const as = (method: string, path: string, body?: unknown) => p.call(method, path, fresh.token, body);
    for (const [body, field] of [
      [{ csam: true }, '/csam'],
      [{ roles: ['admin', 'moderator'] }, '/roles'],
    ] as const) {
      const r = await as('PATCH', `/v1/people/${self}`, body);
      expect([r.status, r.body.error.code, r.body.error.field]).toEqual([409, 'self_change', field]);
    }
    // Giving something up and fixing one's name are fine.
    expect((await as('PATCH', `/v1/people/${self}`, { displayName: 'SoD Admin' })).status).toBe(200);
    // A person made cleared by one admin is not cleared until another confirms; the asker cannot confirm, nor the person.
    const made = await as('POST', '/v1/people', { id: 'sod-puppet', displayName: 'Puppet', roles: ['moderator', 'admin'], csam: true });
    expect(made.body.person).toMatchObject({ grants: {}, pendingCsamGrant: { requestedBy: self } });
    const puppet = (await as('POST', '/v1/people/sod-puppet/tokens', { role: 'moderator', name: 'sod-puppet-mod' })).body.token as string;
    expect((await p.call('POST', '/v1/review/claim', puppet, { queue: 'csam' })).status).toBe(403);
    expect((await as('POST', '/v1/people/sod-puppet/csam-grant', { confirm: true })).body.error.code).toBe('same_person');
    const puppetAdmin = (await as('POST', '/v1/people/sod-puppet/tokens', { role: 'admin', name: 'sod-puppet-admin' })).body.token as string;
    expect((await p.call('POST', '/v1/people/sod-puppet/csam-grant', puppetAdmin, { confirm: true })).body.error.code).toBe('self_change');
    const rejected = await admin('POST', '/v1/people/sod-puppet/csam-grant', { confirm: false });
    expect(rejected.body.person).toMatchObject({ grants: {} });
    expect(rejected.body.person.pendingCsamGrant).toBeUndefined();
    expect((await admin('POST', '/v1/people/sod-puppet/csam-grant', { confirm: true })).body.error.code).toBe('no_pending_grant');
  });

  it('revoking a token by its id revokes that token; no token can be named like an id; the last admin token cannot be revoked', async () => {
    const victim = (await admin('POST', '/v1/tokens', { role: 'moderator', name: 'rev-victim' })).body;
    const decoy = await admin('POST', '/v1/tokens', { role: 'moderator', name: victim.record.id });
    expect([decoy.status, decoy.body.error.field]).toEqual([400, '/name']);
    const r = await admin('DELETE', `/v1/tokens/${victim.record.id}`);
    expect(r.body.record.id).toBe(victim.record.id);
    expect((await p.call('GET', '/v1/me', victim.token)).status).toBe(401);
    // An admin's own only admin token.
    const lone = (await admin('POST', '/v1/tokens', { role: 'admin', name: 'lone-admin' })).body;
    const mine = await p.call('DELETE', `/v1/tokens/${lone.record.id}`, lone.token);
    expect([mine.status, mine.body.error.code]).toEqual([409, 'self_lockout']);
    // Another admin may revoke it.
    expect((await admin('DELETE', `/v1/tokens/${lone.record.id}`)).status).toBe(200);
  });

  it('validates people with errors that name the field, and keeps emails out of the audit chain', async () => {
    const cases: [unknown, string][] = [
      [{ displayName: 'x', roles: [] }, '/roles'],
      [{ displayName: 'x', roles: ['root'] }, '/roles/0'],
      [{ displayName: '', roles: ['moderator'] }, '/displayName'],
      [{ id: 'Has Spaces', displayName: 'x', roles: ['moderator'] }, '/id'],
      [{ id: 'system', displayName: 'x', roles: ['moderator'] }, '/id'],
      [{ displayName: 'x', roles: ['moderator'], email: 'not-an-email' }, '/email'],
      [{ displayName: 'x', roles: ['moderator'], standing: 'authority' }, '/roles'],
    ];
    for (const [body, field] of cases) {
      const r = await admin('POST', '/v1/people', body);
      expect({ body, status: r.status, field: r.body.error.field }).toEqual({ body, status: 400, field });
    }
    await person({ id: 'erin', displayName: 'Erin', email: 'erin.private@example.org', roles: ['legal'] });
    await admin('PATCH', '/v1/people/erin', { email: 'erin.new@example.org' });
    await p.audit.flushOnce();
    await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
    const events = (await p.ctx.es.search<AuditEvent>({ index: p.deps.indices.audit, size: 1000, query: { prefix: { type: 'person.' } } })).hits.hits.map((h) => h._source as AuditEvent);
    const erin = events.filter((e) => JSON.stringify(e.data).includes('"erin"'));
    expect(erin.map((e) => e.type).sort()).toEqual(['person.created', 'person.updated']);
    expect(erin.every((e) => e.actor === 'admin-1')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('erin.private');
    expect(JSON.stringify(events)).not.toContain('erin.new');
    expect((await verifyAuditChain(p.ctx.es, p.deps.indices.audit)).ok).toBe(true);
  });

  it('moves a token from before people existed to a person of its own, who still may not decide appeals of what they decided under the old identity', async () => {
    // A token record as stored before people existed: grants on the token, no person.
    const legacyToken = 'tdk_moderator_legacy-token-for-the-migration-test';
    const legacy = { id: 't_legacy01', name: 'old-mod', role: 'moderator', grants: { csam: true }, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'admin:root' };
    await p.ctx.redis.hset(p.deps.cases.keys.tokens, hashToken(legacyToken), JSON.stringify(legacy));
    expect((await p.call('GET', '/v1/me', legacyToken)).body).toMatchObject({ actorId: 'moderator:old-mod', role: 'moderator', grants: { csam: true } });
    const { caseId, decisionId } = await decided('post-people-legacy', legacyToken);
    expect((await p.deps.cases.decisions(caseId))[0]?.decidedBy).toBe('moderator:old-mod');
    await appeal('post-people-legacy', decisionId);

    expect(await migrateLegacyTokens(p.ctx.redis, p.deps.cases.keys, p.deps.tokens)).toBe(1);
    expect(await migrateLegacyTokens(p.ctx.redis, p.deps.cases.keys, p.deps.tokens)).toBe(0);
    const me = (await p.call('GET', '/v1/me', legacyToken)).body;
    expect(me).toMatchObject({ actorId: 'old-mod', role: 'moderator', grants: { csam: true }, tokenId: 't_legacy01' });
    expect((await admin('GET', '/v1/people/old-mod')).body.person).toMatchObject({ roles: ['moderator'], formerActors: ['moderator:old-mod'], grants: { csam: true } });
    // Claim skips the appeal for the migrated person (it is the only case on the lane) …
    expect((await p.call('POST', '/v1/review/claim', legacyToken, { queue: 'appeals' })).status).toBe(204);
    // … and a decision forced past the claim is refused by the decide script.
    const held = await claimCase(p, 'post-people-legacy', p.tokens.moderator2, 'appeals');
    // Hand the lease over as if the migrated person held it: the decide script still refuses them.
    await p.ctx.redis.hset(p.deps.cases.keys.case(caseId), 'leaseHolder', 'old-mod');
    const forced = await p.call('POST', `/v1/review/${caseId}/decision`, legacyToken, { leaseToken: held.lease.token, action: 'keep', category: 'drugs', legalGround: 'Appeal upheld: no sale' });
    expect([forced.status, forced.body.error.code]).toEqual([403, 'same_moderator']);
    // Revoking by name works for migrated tokens.
    expect((await admin('DELETE', '/v1/tokens/old-mod')).status).toBe(200);
    expect((await p.call('GET', '/v1/me', legacyToken)).status).toBe(401);
  });
});
