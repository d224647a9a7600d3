import { TdbSubmitter, createTdbClient } from '@takedown/dsa-submitter';
import { StatementSubmissions, caseIdFor, createLogger, submissionKeys, type StoredStatement } from '@takedown/shared';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { startTdbStandIn, type TdbStandIn } from '../support/tdb-stand-in';
import { eventually } from '../support/test-context';

/**
 * The DSA path end to end, each part real: a trusted flagger's notice →
 * triage → a moderator's decision → the actions worker stores the statement
 * (our validator) and the flagger's decision notice → the submitter sends it
 * to the stand-in database, whose rules were written apart from ours → the
 * statement is recorded submitted, and the flagger sees the decision and
 * the statement's puid on its report.
 */
let p: Pipeline;
let tdb: TdbStandIn;

beforeAll(async () => {
  p = await startPipeline('dsa-e2e');
  tdb = await startTdbStandIn();
  await p.ctx.es.index({
    index: p.ctx.config.contentIndex,
    id: 'e2e-post',
    document: { id: 'e2e-post', type: 'post', text: 'Selling pills, DM me', lang: 'en-GB', authorId: 'author-e2e', createdAt: '2026-11-20T08:00:00.000Z', media: [{ sha256: '0123456789abcdef'.repeat(4), kind: 'image' }] },
    refresh: true,
  });
});
afterAll(async () => {
  await tdb.close();
  await p.stop();
});

it('a trusted flagger’s notice ends as a statement the database stored, and a decision notice naming it', async () => {
  const filed = await p.call('POST', '/v1/reports', p.tokens.flagger, reportBody('e2e-post', { reportId: 'e2e-notice-1', reporter: { type: 'trusted_flagger' } }));
  expect(filed.status).toBe(202);
  const caseId = caseIdFor('e2e-post');
  await eventually(() => p.deps.cases.get(caseId));
  const held = await claimCase(p, 'e2e-post', p.tokens.moderator, 'default');
  const decided = await p.call('POST', `/v1/review/${caseId}/decision`, p.tokens.moderator, {
    leaseToken: held.lease.token,
    action: 'remove',
    category: 'drugs',
    legalGround: 'Sale of controlled medicines without authorisation (example statute, s. 12)',
    explanation: 'The post offers prescription drugs for sale to anyone.',
  });
  expect(decided.status).toBe(201);
  const puid = decided.body.decisionId as string;

  const stored = await eventually(async () => {
    const got = await p.ctx.es.get<StoredStatement>({ index: p.deps.indices.statements, id: puid }, { ignore: [404] });
    return got.found ? got._source : undefined;
  });
  expect(stored).toMatchObject({ status: 'pending', source_type: 'SOURCE_TRUSTED_FLAGGER' });
  // The flagger is named from its token's person, never from the report.
  expect(stored.statement['source_identity']).toBe('flagger-1');
  expect(stored.statement).toMatchObject({ content_type: expect.arrayContaining(['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_IMAGE']), content_language: 'EN', content_date: '2026-11-20' });

  await p.ctx.es.indices.refresh({ index: p.deps.indices.statements });
  const submitter = new TdbSubmitter(
    {
      statements: new StatementSubmissions(p.ctx.es, p.deps.indices.statements),
      client: createTdbClient({ url: tdb.url, token: tdb.token, timeoutMs: 5000 }),
      redis: p.ctx.redis,
      keys: submissionKeys(p.deps.cases.keys),
      instanceId: 'e2e',
      logger: createLogger({ name: 'dsa-e2e', level: 'silent' }),
    },
    { batchSize: 100, intervalMs: 1000, timeoutMs: 5000, maxAttempts: 3, backoff: { baseMs: 1000, capMs: 60_000 } },
  );
  const round = await submitter.round();
  expect(round).toMatchObject({ submitted: 1, rejected: 0 });
  // The database stored what we stored, field for field.
  expect(tdb.stored.get(puid)).toMatchObject(stored.statement);
  const after = await p.ctx.es.get<StoredStatement>({ index: p.deps.indices.statements, id: puid });
  expect(after._source).toMatchObject({ status: 'submitted', tdbUuid: tdb.stored.get(puid)?.uuid });

  const shown = await eventually(async () => {
    const r = await p.call('GET', '/v1/reports/e2e-notice-1', p.tokens.flagger);
    return r.status === 200 && (r.body.decisions as unknown[]).length > 0 ? r.body : undefined;
  });
  expect(shown.decisions).toEqual([expect.objectContaining({ decisionId: puid, outcome: 'removed', statementPuid: puid })]);
});
