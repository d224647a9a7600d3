import { TdbSubmitter, createTdbClient } from '@takedown/dsa-submitter';
import { StatementSubmissions, addSubmissionStats, createLogger, submissionKeys, type AuditEvent, type StoredStatement } from '@takedown/shared';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { readStatement, seedStatements, storedStatement, tdbStatement } from '../support/stored-statements';
import { startTdbStandIn, type TdbStandIn } from '../support/tdb-stand-in';
import { eventually } from '../support/test-context';
import { scrapeValue } from '../support/prometheus-text';

/** The console's view of statement submission: summary, pages by status, requeue (audited), /metrics. */
describe('statements API', () => {
  let p: Pipeline;
  let tdb: TdbStandIn;
  let index: string;
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const doc = (puid: string, status: StoredStatement['status'], extra: Partial<StoredStatement> = {}, minutesAgo = 10): StoredStatement => ({
    ...storedStatement(puid, tdbStatement(puid), at(minutesAgo)),
    status,
    ...extra,
  });

  beforeAll(async () => {
    p = await startPipeline('statements-api');
    tdb = await startTdbStandIn();
    index = p.deps.indices.statements;
    await seedStatements(p.ctx.es, index, [
      doc('st-pending-1', 'pending', {}, 90),
      doc('st-pending-2', 'pending', {}, 5),
      doc('st-submitted', 'submitted', { submittedAt: at(1), tdbUuid: 'u-1', duplicate: false }),
      doc('st-failed', 'failed', { attempts: 10, lastError: 'HTTP 503' }, 30),
      doc('st-rejected-1', 'rejected', { problems: [{ field: 'content_language', code: 'tdb_rejected', message: 'The selected content language is invalid.' }] }, 20),
      doc('st-rejected-2', 'rejected', { problems: [{ field: 'category', code: 'tdb_rejected', message: 'The selected category is invalid.' }] }, 15),
      doc('st-invalid', 'invalid', { problems: [{ field: 'content_date', code: 'required', message: 'content_date is missing' }] }),
      doc('st-csam-failed', 'failed', { takedownCategory: 'csam', category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS', attempts: 10, lastError: 'HTTP 500' }, 240),
    ]);
  });
  afterAll(async () => {
    await tdb.close();
    await p.stop();
  });

  it('summary: counts by status and the oldest pending age; csam statements only with the grant', async () => {
    const r = await p.call('GET', '/v1/statements/summary', p.tokens.lead);
    expect(r.status).toBe(200);
    expect(r.body.byStatus).toEqual({ pending: 2, submitted: 1, invalid: 1, rejected: 2, failed: 1 });
    expect(r.body.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(90 * 60 - 5);
    const cleared = await p.call('GET', '/v1/statements/summary', p.tokens.csamLead);
    expect(cleared.body.byStatus.failed).toBe(2);
    expect((await p.call('GET', '/v1/statements/summary', p.tokens.moderator)).status).toBe(403);
  });

  it('lists one status with problems, newest first, in bounded pages with a cursor', async () => {
    const first = await p.call('GET', '/v1/statements?status=rejected&size=1', p.tokens.admin);
    expect(first.status).toBe(200);
    expect(first.body.statements.map((s: { puid: string }) => s.puid)).toEqual(['st-rejected-2']);
    expect(first.body.statements[0]).toMatchObject({ status: 'rejected', problems: [{ field: 'category', message: 'The selected category is invalid.' }], statement: { puid: 'st-rejected-2' } });
    const second = await p.call('GET', `/v1/statements?status=rejected&size=1&after=${first.body.next}`, p.tokens.admin);
    expect(second.body.statements.map((s: { puid: string }) => s.puid)).toEqual(['st-rejected-1']);
    const third = await p.call('GET', `/v1/statements?status=rejected&size=1&after=${second.body.next}`, p.tokens.admin);
    expect(third.body).toMatchObject({ statements: [], next: null });
    // The csam statement is left out for a lead without the grant.
    expect((await p.call('GET', '/v1/statements?status=failed', p.tokens.lead)).body.statements.map((s: { puid: string }) => s.puid)).toEqual(['st-failed']);
    expect((await p.call('GET', '/v1/statements?status=failed', p.tokens.csamLead)).body.statements).toHaveLength(2);
  });

  it.each([
    ['/v1/statements', '/status'],
    ['/v1/statements?status=lost', '/status'],
    ['/v1/statements?status=failed&size=101', '/size'],
    ['/v1/statements?status=failed&size=0', '/size'],
    ['/v1/statements?status=failed&after=bm90LWEtY3Vyc29y', '/after'],
    ['/v1/statements?status=failed&nope=1', 'nope'],
  ])('refuses %s naming %s', async (path, field) => {
    const r = await p.call('GET', path, p.tokens.lead);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain(field);
  });

  it('a lead requeues a failed statement (audited); it goes back to pending and the submitter then submits it', async () => {
    expect((await p.call('POST', '/v1/statements/st-failed/requeue', p.tokens.admin, {})).status).toBe(403);
    const r = await p.call('POST', '/v1/statements/st-failed/requeue', p.tokens.lead, { note: 'the database was down for a day' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ puid: 'st-failed', status: 'pending', from: 'failed' });
    expect(await readStatement(p.ctx.es, index, 'st-failed')).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    const audited = await eventually(async () => {
      await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
      const s = await p.ctx.es.search<AuditEvent>({ index: p.deps.indices.audit, query: { term: { type: 'statement.requeued' } } });
      return s.hits.hits[0]?._source;
    });
    expect(audited).toMatchObject({ actor: expect.stringContaining('lead'), caseId: 'case-st-failed', data: { puid: 'st-failed', from: 'failed', attempts: 10, note: 'the database was down for a day' } });

    const submitter = new TdbSubmitter(
      {
        statements: new StatementSubmissions(p.ctx.es, index),
        client: createTdbClient({ url: tdb.url, token: tdb.token, timeoutMs: 5000 }),
        redis: p.ctx.redis,
        keys: submissionKeys(p.deps.cases.keys),
        instanceId: 'statements-api-test',
        logger: createLogger({ name: 'test', level: 'silent' }),
      },
      { batchSize: 100, intervalMs: 1000, timeoutMs: 5000, maxAttempts: 3, backoff: { baseMs: 1000, capMs: 10_000 } },
    );
    expect(await submitter.round()).toMatchObject({ submitted: 3 });
    expect(await readStatement(p.ctx.es, index, 'st-failed')).toMatchObject({ status: 'submitted', duplicate: false });
  });

  it('requeue refuses what is not failed or rejected (409), what does not exist (404), and csam statements without the grant (403)', async () => {
    expect((await p.call('POST', '/v1/statements/st-submitted/requeue', p.tokens.lead, {})).status).toBe(409);
    expect((await p.call('POST', '/v1/statements/st-invalid/requeue', p.tokens.lead, {})).status).toBe(409);
    expect((await p.call('POST', '/v1/statements/no-such/requeue', p.tokens.lead, {})).status).toBe(404);
    expect((await p.call('POST', `/v1/statements/${encodeURIComponent('a b')}/requeue`, p.tokens.lead, {})).status).toBe(404);
    expect((await p.call('POST', '/v1/statements/st-csam-failed/requeue', p.tokens.lead, {})).status).toBe(403);
    expect((await p.call('POST', '/v1/statements/st-csam-failed/requeue', p.tokens.csamLead, {})).status).toBe(200);
    expect((await p.call('POST', '/v1/statements/st-rejected-1/requeue', p.tokens.lead, {})).body).toMatchObject({ from: 'rejected' });
    const bad = await p.call('POST', '/v1/statements/st-rejected-2/requeue', p.tokens.lead, { status: 'submitted' });
    expect(bad.status).toBe(400);
    expect(await readStatement(p.ctx.es, index, 'st-rejected-2')).toMatchObject({ status: 'rejected' });
  });

  it('/metrics shows statements by status, the oldest pending age and the submitter counters (csam ones only with the grant)', async () => {
    const keys = submissionKeys(p.deps.cases.keys);
    await addSubmissionStats(p.ctx.redis, keys.stats, { 'csam:failed': 5, rejected: 2 });
    const text = (await p.call('GET', '/metrics', p.tokens.lead)).body as string;
    expect(scrapeValue(text, 'takedown_statements', { status: 'submitted' })).toBeGreaterThanOrEqual(0);
    expect(scrapeValue(text, 'takedown_statements_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(scrapeValue(text, 'takedown_statement_submissions_total', { result: 'submitted' })).toBeGreaterThan(0);
    expect(scrapeValue(text, 'takedown_statement_submission_call_seconds_count')).toBeGreaterThan(0);
    const failed = (t: string) => scrapeValue(t, 'takedown_statement_submissions_total', { result: 'failed' }) as number;
    const cleared = (await p.call('GET', '/metrics', p.tokens.csamLead)).body as string;
    expect(failed(cleared) - failed(text)).toBe(5);
  });
});
