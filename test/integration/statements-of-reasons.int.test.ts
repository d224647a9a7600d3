import { EEA_COUNTRIES, caseIdFor, validateStatement, type AuditEvent, type StoredStatement } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';

/**
 * Statements of reasons through the real pipeline: report → triage → a
 * decision (a moderator's, or an automatic removal) → the actions worker
 * builds the statement, checks it with the Transparency Database's rules
 * and stores it `pending`, or `invalid` with its problems.
 */

let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('statements');
  // The platform's posts: a Filipino post with a video, and a plain one.
  await p.ctx.es.index({
    index: p.ctx.config.contentIndex,
    id: 'sor-video',
    document: { id: 'sor-video', type: 'post', text: 'Selling cocaine tonight, bili na', lang: 'fil', authorId: 'author-sor-1', createdAt: '2026-10-05T08:30:00.000Z', media: [{ sha256: 'cd'.repeat(32), kind: 'video' }] },
  });
  await p.ctx.es.index({
    index: p.ctx.config.contentIndex,
    id: 'sor-plain',
    document: { id: 'sor-plain', type: 'post', text: 'Selling cocaine, cheap', lang: 'de-AT', authorId: 'author-sor-2', createdAt: '2026-09-01T12:00:00.000Z' },
    refresh: true,
  });
});
afterAll(async () => {
  await p.stop();
});

const statementOf = (decisionId: string) =>
  eventually(async () => {
    const got = await p.ctx.es.get<StoredStatement>({ index: p.deps.indices.statements, id: decisionId }, { ignore: [404] });
    return got.found ? (got._source as StoredStatement) : undefined;
  });

const appliedAudit = (caseId: string, decisionId: string) =>
  eventually(async () => {
    const res = await p.call('GET', `/v1/cases/${caseId}`, p.tokens.lead);
    return (res.body.audit as AuditEvent[] | undefined)?.find((e) => e.type === 'action.applied' && (e.data as { decisionId?: string }).decisionId === decisionId);
  });

async function decide(contentId: string, body: Record<string, unknown>, token = p.tokens.moderator, queue = 'default'): Promise<{ caseId: string; decisionId: string }> {
  const caseId = caseIdFor(contentId);
  await eventually(() => p.deps.cases.get(caseId));
  const held = await claimCase(p, contentId, token, queue);
  const d = await p.call('POST', `/v1/review/${caseId}/decision`, token, { leaseToken: held.lease.token, ...body });
  expect(d.status).toBe(201);
  return { caseId, decisionId: d.body.decisionId as string };
}

describe('statements of reasons (real Redis and Elasticsearch)', () => {
  it("a moderator's terms decision is stored pending, with the post's own date, its media types, no guessed language and the keyword copies", async () => {
    expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('sor-video'))).status).toBe(202);
    const { caseId, decisionId } = await decide('sor-video', {
      action: 'remove',
      category: 'drugs',
      legalGround: 'Terms of service, section 4 (prohibited goods)',
      ground: 'terms_and_conditions',
      explanation: 'The post offers drugs for sale, which the terms do not allow.',
      alsoIllegal: true,
    });
    const stored = await statementOf(decisionId);
    expect(stored).toMatchObject({
      puid: decisionId,
      decisionId,
      caseId,
      contentId: 'sor-video',
      status: 'pending',
      category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
      decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      takedownCategory: 'drugs',
    });
    expect(stored.problems).toBeUndefined();
    const decision = (await p.deps.cases.decision(caseId, decisionId))!;
    expect(decision).toMatchObject({ ground: 'terms_and_conditions', alsoIllegal: true });
    expect(stored.decidedAt).toBe(decision.decidedAt);
    expect(stored.statement).toEqual({
      puid: decisionId,
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
      incompatible_content_ground: 'Terms of service, section 4 (prohibited goods)',
      incompatible_content_explanation: 'The post offers drugs for sale, which the terms do not allow.',
      incompatible_content_illegal: 'Yes',
      content_type: ['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_VIDEO'],
      category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
      category_specification: ['KEYWORD_PROHIBITED_PRODUCTS'],
      territorial_scope: [...EEA_COUNTRIES],
      // fil (Filipino) has no ISO 639-1 code: no content_language, and never FI.
      content_date: '2026-10-05',
      application_date: decision.decidedAt.slice(0, 10),
      decision_facts: expect.any(String),
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
    });
    expect(validateStatement(stored.statement)).toEqual([]);
    // Nothing personal or internal in the public statement.
    const text = JSON.stringify(stored.statement);
    for (const secret of ['author-sor-1', 'sor-video', caseId, 'reporter-7', 'moderator-1', 'drugs-sale', 'cocaine']) expect(text).not.toContain(secret);
    expect((await appliedAudit(caseId, decisionId)).data).toMatchObject({ statement: 'pending' });
  });

  it('a decision without the post in the index (only a reporter’s copy, no date of its own) is stored invalid with its problems, never dropped', async () => {
    // The report claims a date for the post; a reporter's claim is not the post's own date.
    expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('sor-missing', { content: { id: 'sor-missing', type: 'post', text: 'Selling cocaine', authorId: 'a-x', lang: 'en', createdAt: '2026-01-01T00:00:00.000Z' } }))).status).toBe(202);
    const { caseId, decisionId } = await decide('sor-missing', { action: 'remove', category: 'drugs', legalGround: 'Narcotics law' });
    const stored = await statementOf(decisionId);
    expect(stored.status).toBe('invalid');
    expect(stored.problems).toEqual([expect.objectContaining({ field: 'content_date', code: 'unknown' })]);
    expect(stored.statement).not.toHaveProperty('content_date');
    expect(stored.statement).toMatchObject({ puid: decisionId, source_type: 'SOURCE_ARTICLE_16', illegal_content_legal_ground: 'Narcotics law' });
    expect((await appliedAudit(caseId, decisionId)).data).toMatchObject({ statement: 'invalid' });

    // The platform indexes the post later: a lead's rebuild composes the statement again, and now it passes.
    expect((await p.call('POST', `/v1/statements/${decisionId}/rebuild`, p.tokens.moderator, {})).status).toBe(403);
    expect((await p.call('POST', `/v1/statements/${decisionId}/rebuild`, p.tokens.lead, { bogus: 1 })).status).toBe(400);
    const still = await p.call('POST', `/v1/statements/${decisionId}/rebuild`, p.tokens.lead, {});
    expect(still.body).toMatchObject({ puid: decisionId, from: 'invalid', status: 'invalid', problems: [expect.objectContaining({ field: 'content_date' })] });
    await p.ctx.es.index({ index: p.ctx.config.contentIndex, id: 'sor-missing', document: { id: 'sor-missing', type: 'post', text: 'Selling cocaine', lang: 'en', authorId: 'a-x', createdAt: '2026-03-04T05:06:07.000Z' }, refresh: true });
    const rebuilt = await p.call('POST', `/v1/statements/${decisionId}/rebuild`, p.tokens.lead, { note: 'post indexed since' });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toEqual({ puid: decisionId, from: 'invalid', status: 'pending', problems: [] });
    const after = (await p.ctx.es.get<StoredStatement>({ index: p.deps.indices.statements, id: decisionId }))._source as StoredStatement;
    expect(after).toMatchObject({ status: 'pending', statement: { content_date: '2026-03-04' } });
    expect(after.problems).toBeUndefined();
    expect(validateStatement(after.statement)).toEqual([]);
    // Once pending it is the submitter's: no second rebuild.
    const again = await p.call('POST', `/v1/statements/${decisionId}/rebuild`, p.tokens.lead, {});
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'not_rebuildable' } } });
    const rebuilds = await eventually(async () => {
      const audit = await p.call('GET', `/v1/cases/${caseId}`, p.tokens.lead);
      const found = (audit.body.audit as AuditEvent[]).filter((e) => e.type === 'statement.rebuilt');
      return found.length === 2 ? found : undefined;
    });
    expect(rebuilds.map((e) => e.data)).toEqual([
      { puid: decisionId, from: 'invalid', to: 'invalid', problems: ['content_date:unknown'] },
      { puid: decisionId, from: 'invalid', to: 'pending', problems: [], note: 'post indexed since' },
    ]);
  });

  it("a country restriction is scoped to its EEA countries, and one outside the EEA stores none", async () => {
    expect((await p.call('POST', '/v1/reports', p.tokens.flagger, reportBody('sor-plain', { reporter: undefined }))).status).toBe(202);
    const first = await decide('sor-plain', { action: 'restrict', category: 'drugs', legalGround: 'Narcotics law', countries: ['AT', 'CH', 'DE'] });
    const stored = await statementOf(first.decisionId);
    expect(stored).toMatchObject({ status: 'pending', source_type: 'SOURCE_TRUSTED_FLAGGER' });
    expect(stored.statement).toMatchObject({ territorial_scope: ['AT', 'DE'], decision_visibility: ['DECISION_VISIBILITY_CONTENT_DISABLED'], content_language: 'DE', content_date: '2026-09-01' });

    // An authority's order, then a restriction in Switzerland and the US only: outside the DSA's reach.
    expect((await p.call('POST', '/v1/reports', p.tokens.authority, reportBody('sor-plain', { reporter: undefined, content: { id: 'sor-plain', type: 'post', text: 'Selling cocaine, cheap', authorId: 'author-sor-2' } }))).status).toBe(202);
    await eventually(async () => (await p.deps.cases.get(first.caseId))?.status === 'open');
    const second = await decide('sor-plain', { action: 'restrict', category: 'drugs', legalGround: 'Narcotics law', countries: ['CH', 'US'] });
    expect((await appliedAudit(second.caseId, second.decisionId)).data).toMatchObject({ statement: 'outside_eea' });
    const none = await p.ctx.es.get({ index: p.deps.indices.statements, id: second.decisionId }, { ignore: [404] });
    expect(none.found).toBe(false);
  });

  it("reads a bounded sample of a case's reports, and the decision before one", async () => {
    for (const who of ['r-a', 'r-b', 'r-c']) {
      expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('sor-many', { reporter: { type: 'user', id: who } }))).status).toBe(202);
    }
    const caseId = caseIdFor('sor-many');
    await eventually(async () => (await p.deps.cases.get(caseId))?.reportCount === 3);
    const all = await p.deps.cases.reportsUpTo(caseId, 3);
    expect(all.complete).toBe(true);
    expect(all.reports).toHaveLength(3);
    const some = await p.deps.cases.reportsUpTo(caseId, 2);
    expect(some.complete).toBe(false);
    expect(some.reports).toHaveLength(2);

    const escalated = await decide('sor-many', { action: 'escalate', category: 'drugs', legalGround: 'Needs a second look' });
    const label = await decide('sor-many', { action: 'label', category: 'drugs', legalGround: 'Narcotics law' }, p.tokens.moderator2, 'escalated');
    // The escalation is skipped: it decided nothing.
    expect(await p.deps.cases.decisionBefore(caseId, label.decisionId)).toBeUndefined();
    expect(await p.deps.cases.decisionBefore(caseId, escalated.decisionId)).toBeUndefined();
    expect(await p.deps.cases.decisionBefore(caseId, 'd_unknown')).toBeUndefined();
    expect((await statementOf(label.decisionId)).statement).toMatchObject({ decision_visibility: ['DECISION_VISIBILITY_CONTENT_LABELLED'] });
  });

  it('an automatic removal is FULLY automated with the category’s own legal ground; the moderator who confirms it decides PARTIALLY', async () => {
    const r = await p.call('POST', '/v1/reports', p.tokens.detector, {
      content: { id: 'sor-hash', type: 'media', mediaSha256: ['ab'.repeat(32)], authorId: 'author-sor-3', createdAt: '2026-11-10T10:00:00.000Z' },
      reporter: { id: 'hash-scanner' },
      reason: 'other',
    });
    expect(r.status).toBe(202);
    const caseId = caseIdFor('sor-hash');
    const autoId = await eventually(async () => (await p.deps.cases.get(caseId))?.autoRemovedBy);
    const auto = await statementOf(autoId);
    expect(auto).toMatchObject({ status: 'pending', source_type: 'SOURCE_VOLUNTARY', automated_detection: 'Yes', automated_decision: 'AUTOMATED_DECISION_FULLY', takedownCategory: 'csam' });
    expect(auto.statement).toMatchObject({
      category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
      category_specification: ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL'],
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      // A detector's copy is trusted: its date is the post's.
      content_date: '2026-11-10',
      // A hash says there is media, not which kind.
      content_type: ['CONTENT_TYPE_OTHER'],
    });
    expect(auto.statement).not.toHaveProperty('source_identity');
    expect(JSON.stringify(auto.statement)).not.toMatch(/known-csam-hash|auto_remove|ruleset/);

    const confirmed = await decide('sor-hash', { action: 'remove', category: 'csam', legalGround: 'Child sexual abuse material (national criminal law)' }, p.tokens.csamModerator, 'csam');
    expect(await p.deps.cases.decisionBefore(caseId, confirmed.decisionId)).toMatchObject({ id: autoId, automated: true });
    const human = await statementOf(confirmed.decisionId);
    expect(human).toMatchObject({ status: 'pending', automated_decision: 'AUTOMATED_DECISION_PARTIALLY', automated_detection: 'Yes' });
  });
});
