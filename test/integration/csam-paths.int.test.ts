import { normalize } from '@takedown/search-rules';
import { actorOf, caseIdFor, type AuditEvent, type CaseRecord } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { scrapeValue } from '../support/prometheus-text';

// Issue 13 item 2: the csam grant on every path that can show or move abuse material.
let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('csam-paths');
});
afterAll(async () => {
  await p.stop();
});

/** How the API names the holder of a token (actorOf): compared as it is, whatever it is made of. */
async function actor(token: string): Promise<string> {
  return actorOf((await p.deps.tokens.authenticate(token))!);
}

async function report(contentId: string, extra: Record<string, unknown> = {}, token = p.tokens.reporter): Promise<void> {
  const r = await p.call('POST', '/v1/reports', token, reportBody(contentId, extra));
  expect(r.status).toBe(202);
}

/** The case once `ready` holds for it (triage is asynchronous). */
async function caseWhen(contentId: string, ready: (c: CaseRecord) => boolean = () => true): Promise<CaseRecord> {
  return eventually(async () => {
    const c = await p.deps.cases.get(caseIdFor(contentId));
    return c && ready(c) ? c : undefined;
  });
}

/** Waits until a cleared listing shows the case at this revision, so the mirror has caught up. */
async function mirrored(c: CaseRecord): Promise<void> {
  const now = (await p.deps.cases.get(c.id)) as CaseRecord;
  await eventually(async () => {
    const r = await p.call('GET', `/v1/cases?authorId=${encodeURIComponent(now.content.authorId)}&size=100`, p.tokens.csamModerator);
    return r.body.cases.some((x: { id: string; rev: number }) => x.id === now.id && x.rev === now.rev);
  });
}

async function listed(token: string, authorId: string): Promise<string[]> {
  const r = await p.call('GET', `/v1/cases?authorId=${encodeURIComponent(authorId)}&size=100`, token);
  expect(r.status).toBe(200);
  return r.body.cases.map((x: { id: string }) => x.id);
}

async function auditOf(caseId: string, types: string[]): Promise<AuditEvent[]> {
  return eventually(async () => {
    const r = await p.call('GET', `/v1/cases/${caseId}`, p.tokens.csamModerator);
    const events = (r.body.audit as AuditEvent[]).filter((e) => types.includes(e.type));
    return types.every((t) => events.some((e) => e.type === t)) ? events : undefined;
  });
}

/** A case on the default lane, reported as drugs. */
async function drugsCase(contentId: string, authorId: string): Promise<CaseRecord> {
  await report(contentId, { content: { id: contentId, type: 'post', text: `selling cocaine ${contentId}`, authorId } });
  return caseWhen(contentId);
}

describe('case listing, case page and media: every csam variant is hidden without the grant', () => {
  it('category csam, a csam rule hit on another category, a csam report joining a decided case, a claimed case turning csam', async () => {
    const author = 'variants-author';
    // 1. Reported as csam.
    await report('v-category', { reason: 'csam', content: { id: 'v-category', type: 'post', text: 'variant one', authorId: author, mediaSha256: ['cd'.repeat(32)] } });
    // 2. Reported as other, but the reporter's copy carries a known csam hash (an unverified hit: never acted on, still restricted).
    await report('v-hit', { reason: 'other', content: { id: 'v-hit', type: 'post', text: 'variant two', authorId: author, mediaSha256: ['ab'.repeat(32)] } });
    // 3. A kept drugs case that a csam report then joins (the report attaches; the category stays).
    const kept = await drugsCase('v-attached', author);
    const held = await claimCase(p, 'v-attached');
    expect((await p.call('POST', `/v1/review/${kept.id}/decision`, p.tokens.moderator, { leaseToken: held.lease.token, action: 'keep', category: 'drugs', legalGround: 'no sale found' })).status).toBe(201);
    await report('v-attached', { reason: 'csam', reportId: 'attach-csam', content: { id: 'v-attached', type: 'post', text: 'variant three', authorId: author } });
    // 4. A case a moderator holds when a csam report arrives: it must go back to the csam lane, not to default.
    const claimed = await drugsCase('v-claimed', author);
    const lease = await claimCase(p, 'v-claimed');
    await report('v-claimed', { reason: 'csam', reportId: 'claimed-csam', content: { id: 'v-claimed', type: 'post', text: 'variant four', authorId: author } });
    await caseWhen('v-claimed', (c) => c.reportCount === 2);
    expect((await p.call('POST', `/v1/review/${claimed.id}/heartbeat`, p.tokens.moderator, { leaseToken: lease.lease.token })).body.error.code).toBe('csam_not_allowed');
    expect((await p.call('POST', `/v1/review/${claimed.id}/release`, p.tokens.moderator, { leaseToken: lease.lease.token })).status).toBe(204);

    const cases = {
      category: await caseWhen('v-category'),
      hit: await caseWhen('v-hit'),
      attached: await caseWhen('v-attached', (c) => c.reportCount === 2),
      claimed: await caseWhen('v-claimed', (c) => c.status === 'open'),
    };
    expect([cases.category.category, cases.category.lane]).toEqual(['csam', 'csam']);
    expect([cases.hit.category, cases.hit.lane, cases.hit.csamSignal]).toEqual(['other', 'csam', true]);
    expect([cases.attached.category, cases.attached.status, cases.attached.csamSignal]).toEqual(['drugs', 'decided', true]);
    expect([cases.claimed.category, cases.claimed.lane]).toEqual(['csam', 'csam']);
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(cases.claimed.id).lane('csam'), cases.claimed.id)).not.toBeNull();
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(cases.claimed.id).lane('default'), cases.claimed.id)).toBeNull();

    for (const c of Object.values(cases)) await mirrored(c);
    const ids = Object.values(cases).map((c) => c.id);
    expect((await listed(p.tokens.csamModerator, author)).sort()).toEqual([...ids].sort());
    for (const token of [p.tokens.moderator, p.tokens.lead, p.tokens.admin]) {
      expect(await listed(token, author)).toEqual([]);
      const all = await p.call('GET', '/v1/cases?size=100', token);
      for (const id of ids) expect(all.body.cases.map((x: { id: string }) => x.id)).not.toContain(id);
    }
    for (const [name, c] of Object.entries(cases)) {
      const refused = await p.call('GET', `/v1/cases/${c.id}`, p.tokens.moderator);
      expect({ name, status: refused.status, code: refused.body.error.code }).toEqual({ name, status: 403, code: 'csam_not_allowed' });
      expect(JSON.stringify(refused.body)).not.toMatch(/variant/);
      expect({ name, status: (await p.call('GET', `/v1/cases/${c.id}`, p.tokens.csamLead)).status }).toEqual({ name, status: 200 });
    }

    // Media: only with the grant.
    const media = await p.call('GET', `/v1/cases/${cases.category.id}/media/0`, p.tokens.moderator);
    expect([media.status, media.body.error.code]).toEqual([403, 'csam_not_allowed']);
    expect((await p.call('GET', `/v1/cases/${cases.category.id}/media/0`, p.tokens.lead)).status).toBe(403);
    const shown = await p.call('GET', `/v1/cases/${cases.category.id}/media/0`, p.tokens.csamModerator);
    expect([shown.status, shown.headers.get('content-type')]).toEqual([200, 'image/svg+xml; charset=utf-8']);
    expect((await p.call('POST', `/v1/review/${cases.category.id}/reveal`, p.tokens.moderator, { leaseToken: 'x', index: 0 })).status).toBe(403);
  });
});

describe('stats and metrics: csam figures only with the grant', () => {
  it('leaves out the csam lane, csam decisions and csam blocked searches for a caller without the grant', async () => {
    await report('stats-csam', { reason: 'csam', content: { id: 'stats-csam', type: 'post', text: 'stats', authorId: 'stats-author' } });
    const c = await caseWhen('stats-csam');
    const before = await p.call('GET', '/v1/stats', p.tokens.csamLead);
    const decisions = (s: { decisionsPerHour: { byAction: Record<string, number> }[] }) => s.decisionsPerHour.reduce((n, h) => n + Object.values(h.byAction).reduce((a, b) => a + b, 0), 0);
    // A csam decision: counted for the cleared, not for the others.
    const held = await claimCase(p, 'stats-csam', p.tokens.csamModerator, 'csam');
    expect((await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.csamModerator, { leaseToken: held.lease.token, action: 'remove', category: 'csam', legalGround: 'Child sexual abuse material' })).status).toBe(201);
    // The audit writer indexes events a little later, other tests' decisions among them: wait until this csam decision is the one difference.
    await eventually(async () => {
      const [cl, open] = await Promise.all([p.call('GET', '/v1/stats', p.tokens.csamLead), p.call('GET', '/v1/stats', p.tokens.lead)]);
      return decisions(cl.body) > decisions(before.body) && decisions(cl.body) - decisions(open.body) === 1;
    });
    await p.ctx.redis.hincrby(p.deps.rulesets.keys.blockedCounts, 'csam', 3);
    await p.ctx.redis.hincrby(p.deps.rulesets.keys.blockedCounts, 'drugs', 2);
    await report('stats-csam-2', { reason: 'csam', content: { id: 'stats-csam-2', type: 'post', text: 'stats', authorId: 'stats-author' } });
    await caseWhen('stats-csam-2');

    const cleared = (await p.call('GET', '/v1/stats', p.tokens.csamLead)).body;
    expect(cleared.queues.find((q: { queue: string }) => q.queue === 'csam').depth).toBeGreaterThanOrEqual(1);
    expect(cleared.blockedSearches).toMatchObject({ csam: 3, drugs: 2 });
    for (const token of [p.tokens.lead, p.tokens.admin]) {
      // Side by side with the cleared figures, so an event indexed meanwhile shows in both.
      const [s, withGrant] = (await Promise.all([p.call('GET', '/v1/stats', token), p.call('GET', '/v1/stats', p.tokens.csamLead)])).map((r) => r.body);
      expect(s.queues.map((q: { queue: string }) => q.queue)).toEqual(['default', 'escalated', 'appeals']);
      expect(s.blockedSearches).toEqual({ drugs: 2 });
      // The one csam decision so far is left out.
      expect(decisions(s)).toBe(decisions(withGrant) - 1);
      expect(JSON.stringify(s)).not.toContain('csam');
    }

    const open = (await p.call('GET', '/metrics', p.tokens.lead)).body as string;
    expect(scrapeValue(open, 'takedown_review_queue_depth', { queue: 'default' })).toBeDefined();
    expect(open).not.toContain('csam');
    const scraper = (await p.call('GET', '/metrics', p.tokens.csamAdmin)).body as string;
    expect(scrapeValue(scraper, 'takedown_review_queue_depth', { queue: 'csam' })).toBeGreaterThan(0);
    expect(scrapeValue(scraper, 'takedown_review_queue_oldest_age_seconds', { queue: 'csam' })).toBeGreaterThanOrEqual(0);
  });
});

describe('rule preview: restricted documents and searches left out without the grant', () => {
  it('counts and samples neither csam documents (category, recorded hit, a csam rule\'s match, a csam case) nor searches a csam rule matches; a removed post is an id and a notice', async () => {
    const index = p.ctx.config.contentIndex;
    const doc = (id: string, text: string, moderation: Record<string, unknown> = {}) =>
      p.ctx.es.index({ index, id, document: { id, type: 'post', text, authorId: 'pv', createdAt: '2026-11-20T10:00:00Z', moderation: { normalizedText: normalize(text), ...moderation } } });
    await doc('pv-clean', 'zebratonic for sale, plainvisible');
    await doc('pv-csam', 'zebratonic secretalpha', { state: 'removed', category: 'csam' });
    await doc('pv-removed', 'zebratonic secretbravo', { state: 'removed', category: 'drugs' });
    await doc('pv-hit', 'zebratonic secretcharlie', { state: 'excluded', ruleHits: ['known-csam-hash'] });
    await doc('pv-match', 'zebratonic secretfoxtrot');
    await doc('pv-case', 'zebratonic secretdelta');
    await p.ctx.es.indices.refresh({ index });
    // A post nobody decided yet, but its case is restricted (reported as csam).
    await report('pv-case', { reason: 'csam', content: { id: 'pv-case', type: 'post', authorId: 'pv' } });
    await caseWhen('pv-case');
    await p.ctx.redis.lpush(p.deps.rulesets.keys.queryLog, 'buy zebratonic secretecho', 'buy zebratonic secretfoxtrot now');
    const rule = (category: string, pattern: string) => ({ kind: 'term', pattern, category, scope: ['content', 'query'], action: 'flag_for_review' });
    expect((await p.call('PUT', '/v1/rules/draft/zebra-drugs', p.tokens.lead, rule('drugs', 'zebratonic'))).status).toBe(201);
    // A draft csam rule: what it matches (pv-match, the second search) is restricted from now on.
    expect((await p.call('PUT', '/v1/rules/draft/zebra-csam', p.tokens.lead, rule('csam', 'secretfoxtrot'))).status).toBe(201);

    type Preview = { restricted?: { notice: string }; rules: { ruleId: string; contentMatches: number; contentSamples: Record<string, string>[]; queryMatches: number; querySamples: unknown[]; notice?: string }[] };
    const secrets = /secret(alpha|charlie|delta)|zebratonic secretfoxtrot/;
    for (const token of [p.tokens.lead, p.tokens.admin]) {
      const r = await p.call('GET', '/v1/rules/preview', token);
      expect(r.status).toBe(200);
      const body = r.body as Preview;
      expect(body.restricted?.notice).toContain('csam grant');
      const drugs = body.rules.find((x) => x.ruleId === 'zebra-drugs')!;
      // Counted: the clean post and the removed drugs post; the four csam documents are not.
      expect(drugs.contentMatches).toBe(2);
      const byId = Object.fromEntries(drugs.contentSamples.map((s) => [s['id'], s]));
      expect(Object.keys(byId).sort()).toEqual(['pv-clean', 'pv-removed']);
      expect(byId['pv-clean']).toEqual({ id: 'pv-clean', text: 'zebratonic for sale, plainvisible' });
      expect(byId['pv-removed']).toEqual({ id: 'pv-removed', redacted: 'removed', notice: expect.stringContaining('csam grant') });
      // A search text no csam rule matches is the searcher's, not a post's: shown. The other one is left out.
      expect([drugs.queryMatches, drugs.querySamples]).toEqual([1, ['buy zebratonic secretecho']]);
      const csam = body.rules.find((x) => x.ruleId === 'zebra-csam')!;
      expect(csam).toMatchObject({ contentMatches: 0, contentSamples: [], queryMatches: 0, querySamples: [], notice: expect.stringContaining('csam grant') });
      // Nowhere in the answer (highlights, snippets, samples) does a hidden post's text appear.
      expect(JSON.stringify(body)).not.toMatch(secrets);
      expect(JSON.stringify(body)).not.toMatch(/pv-(csam|hit|match|case)/);
    }
    // With the grant: everything counted (six posts, five samples), every text shown.
    const full = (await p.call('GET', '/v1/rules/preview', p.tokens.csamLead)).body as Preview;
    expect(full.restricted).toBeUndefined();
    expect(full.rules.find((x) => x.ruleId === 'zebra-drugs')).toMatchObject({ contentMatches: 6, queryMatches: 2 });
    const cleared = JSON.stringify(full);
    for (const word of ['secretalpha', 'secretbravo', 'secretcharlie', 'secretecho', 'zebratonic secretfoxtrot']) expect(cleared).toContain(word);
    for (const id of ['zebra-drugs', 'zebra-csam']) await p.call('DELETE', `/v1/rules/draft/${id}`, p.tokens.lead);
  });
});

describe('job board: read-only, csam jobs redacted without the grant', () => {
  it('shows csam-related jobs as ids and a notice to an admin without the grant, whole to one with it', async () => {
    await report('board-csam', { reason: 'csam', reportId: 'board-csam', content: { id: 'board-csam', type: 'post', text: 'boardsecret words', authorId: 'board' } });
    await report('board-plain', { reportId: 'board-plain', content: { id: 'board-plain', type: 'post', text: 'boardvisible words', authorId: 'board' } });
    await caseWhen('board-csam');
    await caseWhen('board-plain');
    // A later report about the csam case, with another reason: still csam-related (its case is).
    await report('board-csam', { reason: 'fraud', reportId: 'board-later', content: { id: 'board-csam', type: 'post', text: 'boardlater words', authorId: 'board' } });
    await caseWhen('board-csam', (c) => c.reportCount === 2);
    const board = (token: string, path: string, method = 'GET') => fetch(`${p.url}/admin/queues${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const list = '/api/queues?activeQueue=reports&status=completed&page=1&jobsPerPage=100';
    const admin = await board(p.tokens.admin, list);
    expect(admin.status).toBe(200);
    const text = await admin.text();
    expect(text).toContain('boardvisible');
    expect(text).not.toMatch(/boardsecret|boardlater/);
    const jobs = (JSON.parse(text) as { queues: { name: string; jobs: { id: string; data: Record<string, unknown>; returnValue: unknown }[] }[] }).queues.find((q) => q.name === 'reports')!.jobs;
    const redacted = jobs.filter((j) => j.data['redacted'] === 'csam_grant_required' && String(j.data['contentId']).startsWith('board-'));
    expect(redacted.map((j) => j.data['contentId'])).toEqual(['board-csam', 'board-csam']);
    expect(redacted.every((j) => j.returnValue === null && j.data['caseId'] === caseIdFor('board-csam'))).toBe(true);
    const one = await board(p.tokens.admin, `/api/queues/reports/${encodeURIComponent(redacted[0]!.id)}`);
    expect(one.status).toBe(200);
    expect(await one.text()).not.toMatch(/boardsecret|boardlater/);
    const full = await (await board(p.tokens.csamAdmin, list)).text();
    expect(full).toContain('boardsecret');
    expect(full).toContain('boardlater');
    // Read-only: nothing can be retried, cleaned or added through the board.
    expect((await board(p.tokens.csamAdmin, '/api/queues/reports/retry/failed', 'PUT')).status).toBe(405);
    expect((await board(p.tokens.admin, '/api/queues/reports/clean/completed', 'PUT')).status).toBe(405);
    expect((await board(p.tokens.lead, list)).status).toBe(403);
  });
});

describe('category moves across the csam line: the grant, a second person, the audit', () => {
  it('a moderator moves a case into csam: restricted at once, lease released; an uncleared or the same person cannot confirm; a second cleared person confirms', async () => {
    const c = await drugsCase('mv-into', 'mv-author-1');
    const held = await claimCase(p, 'mv-into');
    const asked = await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.moderator, { to: 'csam', reason: 'looks like abuse material', leaseToken: held.lease.token });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ lane: 'csam', category: 'drugs', categoryMove: { from: 'drugs', to: 'csam', fromLane: 'default', requestedBy: await actor(p.tokens.moderator) } });
    const pending = (await p.deps.cases.get(c.id))!;
    expect([pending.status, pending.lane, pending.category, pending.lease]).toEqual(['open', 'csam', 'drugs', undefined]);
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(c.id).lane('csam'), c.id)).not.toBeNull();
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(c.id).lane('default'), c.id)).toBeNull();
    // Hidden from every uncleared person, the requester included.
    for (const token of [p.tokens.moderator, p.tokens.moderator2, p.tokens.lead]) expect((await p.call('GET', `/v1/cases/${c.id}`, token)).status).toBe(403);
    // One pending move per case.
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.csamModerator, { to: 'drugs', reason: 'second try' })).body.error).toMatchObject({ code: 'category_move_pending', field: 'to' });
    // Confirming takes the grant.
    const uncleared = await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.moderator2, { confirm: true });
    expect([uncleared.status, uncleared.body.error.code]).toEqual([403, 'csam_not_allowed']);
    // Cleared moderators see the pending move in the listing.
    await mirrored(pending);
    const moves = await p.call('GET', '/v1/cases?pendingMove=true&size=100', p.tokens.csamModerator);
    expect(moves.body.cases.find((x: { id: string }) => x.id === c.id)?.categoryMove).toMatchObject({ to: 'csam', requestedBy: await actor(p.tokens.moderator) });
    expect((await p.call('GET', '/v1/cases?pendingMove=true&size=100', p.tokens.moderator)).body.cases).toEqual([]);
    // The decision path cannot settle it meanwhile.
    const claim = await claimCase(p, 'mv-into', p.tokens.csamModerator, 'csam');
    const blocked = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.csamModerator, { leaseToken: claim.lease.token, action: 'remove', category: 'csam', legalGround: 'Child sexual abuse material' });
    expect([blocked.status, blocked.body.error.code, blocked.body.error.field]).toEqual([409, 'category_move_pending', 'category']);

    const ok = await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.csamModerator2, { confirm: true, note: 'confirmed on review' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ outcome: 'confirmed', category: 'csam', lane: 'csam' });
    const moved = (await p.deps.cases.get(c.id))!;
    expect([moved.category, moved.lane, moved.categoryMove, moved.status]).toEqual(['csam', 'csam', undefined, 'claimed']);
    expect(moved.priority).toBeGreaterThan(pending.priority);
    // Now the holder decides it as csam.
    expect((await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.csamModerator, { leaseToken: claim.lease.token, action: 'remove', category: 'csam', legalGround: 'Child sexual abuse material' })).status).toBe(201);

    const events = await auditOf(c.id, ['case.category_move_requested', 'case.category_moved']);
    const requested = events.find((e) => e.type === 'case.category_move_requested')!;
    expect(requested.actor).toBe(await actor(p.tokens.moderator));
    expect(requested.data).toMatchObject({ from: 'drugs', to: 'csam', requestedBy: await actor(p.tokens.moderator), leaseReleased: true, before: { category: 'drugs', lane: 'default' }, after: { category: 'drugs', lane: 'csam' } });
    const confirmed = events.find((e) => e.type === 'case.category_moved')!;
    expect(confirmed.actor).toBe(await actor(p.tokens.csamModerator2));
    expect(confirmed.data).toMatchObject({ requestedBy: await actor(p.tokens.moderator), confirmedBy: await actor(p.tokens.csamModerator2), note: 'confirmed on review', before: { category: 'drugs', lane: 'csam' }, after: { category: 'csam', lane: 'csam' } });
  });

  it('a move out of csam takes the grant, waits on the csam lane, is refused to the same person, can be rejected, and once confirmed opens the case to everyone', async () => {
    await report('mv-out', { reason: 'csam', content: { id: 'mv-out', type: 'post', text: 'a family photo caption', authorId: 'mv-author-2' } });
    const c = await caseWhen('mv-out');
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.moderator, { to: 'other', reason: 'not abuse' })).body.error.code).toBe('csam_not_allowed');
    // Not a move across the line.
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.csamModerator, { to: 'csam', reason: 'already' })).body.error).toMatchObject({ code: 'not_a_csam_move', field: 'to' });
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.csamModerator, { to: 'other', reason: 'a caption, no abuse' })).status).toBe(202);
    expect((await p.deps.cases.get(c.id))!).toMatchObject({ lane: 'csam', category: 'csam' });
    expect((await p.call('GET', `/v1/cases/${c.id}`, p.tokens.moderator)).status).toBe(403);
    const same = await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.csamModerator, { confirm: true });
    expect([same.status, same.body.error.code]).toEqual([403, 'same_person']);
    // A cleared lead may reject it: it stays csam.
    const no = await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.csamLead, { confirm: false, note: 'the media needs a second look' });
    expect(no.body).toMatchObject({ outcome: 'rejected', category: 'csam', lane: 'csam' });
    const kept = (await p.deps.cases.get(c.id))!;
    expect([kept.lane, kept.category, kept.categoryMove]).toEqual(['csam', 'csam', undefined]);
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.csamLead, { confirm: true })).body.error).toMatchObject({ code: 'no_category_move', field: 'confirm' });

    expect((await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.csamModerator, { to: 'other', reason: 'looked again: a caption' })).status).toBe(202);
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.csamModerator2, { confirm: true })).body).toMatchObject({ outcome: 'confirmed', category: 'other', lane: 'default' });
    const out = (await p.deps.cases.get(c.id))!;
    expect([out.category, out.lane, out.csamSignal]).toEqual(['other', 'default', false]);
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(c.id).lane('default'), c.id)).not.toBeNull();
    expect((await p.call('GET', `/v1/cases/${c.id}`, p.tokens.moderator)).status).toBe(200);
    const events = await auditOf(c.id, ['case.category_move_requested', 'case.category_move_rejected', 'case.category_moved']);
    expect(events.find((e) => e.type === 'case.category_move_rejected')!.data).toMatchObject({ requestedBy: await actor(p.tokens.csamModerator), rejectedBy: await actor(p.tokens.csamLead), before: { category: 'csam', lane: 'csam' }, after: { category: 'csam', lane: 'csam' } });
    expect(events.find((e) => e.type === 'case.category_moved')!.data).toMatchObject({ requestedBy: await actor(p.tokens.csamModerator), confirmedBy: await actor(p.tokens.csamModerator2), before: { category: 'csam', lane: 'csam' }, after: { category: 'other', lane: 'default' } });
  });

  it('a rejected move into csam returns the case to its lane and category; asking ends another holder\'s lease', async () => {
    const c = await drugsCase('mv-reject', 'mv-author-3');
    const holder = await claimCase(p, 'mv-reject', p.tokens.moderator2);
    // Someone else, without a lease, asks: restricting cannot wait for the holder.
    expect((await p.call('POST', `/v1/cases/${c.id}/category-move`, p.tokens.moderator, { to: 'csam', reason: 'saw it in the author history' })).status).toBe(202);
    expect((await p.deps.cases.get(c.id))!).toMatchObject({ status: 'open', lane: 'csam' });
    expect((await p.call('POST', `/v1/review/${c.id}/heartbeat`, p.tokens.moderator2, { leaseToken: holder.lease.token })).status).toBe(403);
    const no = await p.call('POST', `/v1/cases/${c.id}/category-move/confirm`, p.tokens.csamModerator, { confirm: false });
    expect(no.body).toMatchObject({ outcome: 'rejected', category: 'drugs', lane: 'default' });
    const back = (await p.deps.cases.get(c.id))!;
    expect([back.status, back.lane, back.category, back.categoryMove]).toEqual(['open', 'default', 'drugs', undefined]);
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(c.id).lane('default'), c.id)).not.toBeNull();
    expect((await p.call('GET', `/v1/cases/${c.id}`, p.tokens.moderator)).status).toBe(200);
    const events = await auditOf(c.id, ['case.category_move_requested', 'case.category_move_rejected']);
    expect(events.find((e) => e.type === 'case.category_move_requested')!.data).toMatchObject({ leaseEndedFor: await actor(p.tokens.moderator2) });
  });

  it('a decision that crosses the csam line is refused with 409 naming category and the move endpoint', async () => {
    const plain = await drugsCase('mv-cross-1', 'mv-author-4');
    const held = await claimCase(p, 'mv-cross-1');
    const into = await p.call('POST', `/v1/review/${plain.id}/decision`, p.tokens.moderator, { leaseToken: held.lease.token, action: 'remove', category: 'csam', legalGround: 'Child sexual abuse material' });
    expect([into.status, into.body.error.code, into.body.error.field, into.body.error.details.move]).toEqual([409, 'category_move_required', 'category', `POST /v1/cases/${plain.id}/category-move`]);
    await p.call('POST', `/v1/review/${plain.id}/release`, p.tokens.moderator, { leaseToken: held.lease.token });

    await report('mv-cross-2', { reason: 'csam', content: { id: 'mv-cross-2', type: 'post', text: 'cross two', authorId: 'mv-author-4' } });
    const csam = await caseWhen('mv-cross-2');
    const claim = await claimCase(p, 'mv-cross-2', p.tokens.csamModerator, 'csam');
    const out = await p.call('POST', `/v1/review/${csam.id}/decision`, p.tokens.csamModerator, { leaseToken: claim.lease.token, action: 'keep', category: 'other', legalGround: 'no violation found' });
    expect([out.status, out.body.error.code, out.body.error.field]).toEqual([409, 'category_move_required', 'category']);
    // An escalation of a csam case stays on the csam lane.
    expect((await p.call('POST', `/v1/review/${csam.id}/decision`, p.tokens.csamModerator, { leaseToken: claim.lease.token, action: 'escalate', category: 'csam', legalGround: 'needs a senior look' })).status).toBe(201);
    expect((await p.deps.cases.get(csam.id))!).toMatchObject({ status: 'open', lane: 'csam', category: 'csam' });
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(csam.id).lane('escalated'), csam.id)).toBeNull();
  });
});

describe('claims never hand an uncleared moderator a csam case', () => {
  it('sends a csam case found off the csam lane (recorded before the csam signal) to the csam lane instead of showing it', async () => {
    const c = await drugsCase('legacy-hit', 'legacy-author');
    // As such a case was stored: a csam rule hit, no signal, on the default lane.
    const hits = [{ ruleId: 'known-csam-hash', category: 'csam', action: 'auto_remove', shadow: false, start: 0, end: 0, rulesetVersion: 1 }];
    await p.ctx.redis.hset(p.deps.cases.keys.case(c.id), 'ruleHits', JSON.stringify(hits));
    await p.ctx.redis.hdel(p.deps.cases.keys.case(c.id), 'csamSignal');
    const held: { id: string; token: string }[] = [];
    for (;;) {
      const r = await p.call('POST', '/v1/review/claim', p.tokens.moderator, { queue: 'default' });
      if (r.status === 204) break;
      expect(r.body.case.id).not.toBe(c.id);
      held.push({ id: r.body.case.id, token: r.body.lease.token });
    }
    for (const h of held) await p.call('POST', `/v1/review/${h.id}/release`, p.tokens.moderator, { leaseToken: h.token });
    expect((await p.deps.cases.get(c.id))!).toMatchObject({ status: 'open', lane: 'csam' });
    expect(await p.ctx.redis.zscore(p.deps.cases.keys.shardOf(c.id).lane('csam'), c.id)).not.toBeNull();
    await auditOf(c.id, ['case.restricted']);
  });
});
