import { SYSTEM_FILER, aggregateArt15, art15Csv, getNotice, type NoticeRecord, type ReportJob } from '@takedown/shared';
import { readArt15Records } from '@takedown/moderation-api';
import { eventually } from '../support/test-context';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { art15Fixture } from '../support/art15-fixture';

let p: Pipeline;
const tokenIdOf = async (token: string): Promise<string> => (await p.call('GET', '/v1/me', token)).body.tokenId as string;

beforeAll(async () => {
  p = await startPipeline('dsa-notices');
});
afterAll(async () => {
  await p.stop();
});

/** The notice record triage wrote for a client's report id (scoped to the filing token). */
async function noticeOf(token: string, reference: string): Promise<NoticeRecord> {
  const id = `${await tokenIdOf(token)}.${reference}`;
  return eventually(() => getNotice(p.ctx.es, p.deps.indices.notices, id));
}

describe('standing holders named in their reports', () => {
  it('copies a trusted flagger\'s name and member state from its person into the job; an ordinary user\'s report carries neither', async () => {
    const created = await p.call('POST', '/v1/tokens', p.tokens.admin, { role: 'reporter', name: 'hotline-nl', standing: 'trusted_flagger', memberState: 'NL' });
    expect(created.status).toBe(201);
    expect(created.body.person.grants).toEqual({ standing: 'trusted_flagger', memberState: 'NL' });
    await p.deps.reports.queue.pause();
    try {
      const filed = await p.call('POST', '/v1/reports', created.body.token, reportBody('post-named', { reportId: 'named-1', reporter: { type: 'trusted_flagger' } }));
      expect(filed.status).toBe(202);
      const job = await p.deps.reports.queue.getJob(`${created.body.record.id}.named-1`);
      expect((job?.data as ReportJob).reporter).toEqual({ type: 'trusted_flagger', name: 'hotline-nl', memberState: 'NL' });

      const user = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-named', { reportId: 'named-2' }));
      expect(user.status).toBe(202);
      const userJob = await p.deps.reports.queue.getJob(`${await tokenIdOf(p.tokens.reporter)}.named-2`);
      expect((userJob?.data as ReportJob).reporter).toEqual({ type: 'user', id: 'reporter-7' });

      // The flagger reporting as an ordinary user is not named either.
      const asUser = await p.call('POST', '/v1/reports', created.body.token, reportBody('post-named', { reportId: 'named-3', reporter: { type: 'user' } }));
      expect(asUser.status).toBe(202);
      expect(((await p.deps.reports.queue.getJob(`${created.body.record.id}.named-3`))?.data as ReportJob).reporter).toEqual({ type: 'user' });
    } finally {
      await p.deps.reports.queue.resume();
    }
  });

  it('refuses a name or member state in a report body, naming the field', async () => {
    for (const reporter of [{ type: 'authority', name: 'Europol' }, { type: 'user', memberState: 'DE' }]) {
      const r = await p.call('POST', '/v1/reports', p.tokens.authority, reportBody('post-claims', { reporter }));
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body.error)).toMatch(reporter.name ? /name/ : /memberState/);
    }
  });

  it('lets an admin set and clear a member state, for trusted flaggers and authorities only, and EEA states only', async () => {
    const authority = await p.call('POST', '/v1/people', p.tokens.admin, { displayName: 'Parquet de Paris', roles: ['reporter'], standing: 'authority', memberState: 'FR' });
    expect([authority.status, authority.body.person.grants]).toEqual([201, { standing: 'authority', memberState: 'FR' }]);
    const id = authority.body.person.id as string;
    expect((await p.call('PATCH', `/v1/people/${id}`, p.tokens.admin, { memberState: 'BE' })).body.person.grants).toEqual({ standing: 'authority', memberState: 'BE' });
    const us = await p.call('PATCH', `/v1/people/${id}`, p.tokens.admin, { memberState: 'US' });
    expect([us.status, us.body.error.field]).toEqual([400, '/memberState']);
    const detector = await p.call('PATCH', `/v1/people/${id}`, p.tokens.admin, { standing: 'automated' });
    expect([detector.status, detector.body.error.field]).toEqual([400, '/memberState']);
    // Dropping the standing drops the state it was designated by.
    expect((await p.call('PATCH', `/v1/people/${id}`, p.tokens.admin, { standing: null })).body.person.grants).toEqual({});
    const user = await p.call('POST', '/v1/people', p.tokens.admin, { displayName: 'Plain reporter', roles: ['reporter'], memberState: 'DE' });
    expect([user.status, user.body.error.field]).toEqual([400, '/standing']);
  });
});

describe('Art. 16 notices', () => {
  it('acknowledges a report in the 202 answer and stores its notice record once triage folds it, without personal data', async () => {
    const r = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-ack', { reportId: 'ack-1' }));
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ reportId: 'ack-1', acknowledgement: { reference: 'ack-1', acknowledgedAt: expect.any(String) } });
    const n = await noticeOf(p.tokens.reporter, 'ack-1');
    const tokenId = await tokenIdOf(p.tokens.reporter);
    expect(n).toEqual({
      reportId: `${tokenId}.ack-1`,
      reference: 'ack-1',
      tokenId,
      reporterType: 'user',
      category: 'drugs',
      contentId: 'post-ack',
      caseId: expect.any(String),
      receivedAt: r.body.acknowledgement.acknowledgedAt,
      acknowledgedAt: r.body.acknowledgement.acknowledgedAt,
      decisions: [],
    });
    // The reporter's own id and the post's author stay out of the record.
    expect(JSON.stringify(n)).not.toMatch(/reporter-7|author-1/);

    const shown = await p.call('GET', '/v1/reports/ack-1', p.tokens.reporter);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ reportId: 'ack-1', status: 'in_review', acknowledgement: r.body.acknowledgement, decisions: [] });
    expect(JSON.stringify(shown.body)).not.toContain(tokenId);
  });

  it('shows a report to the token that filed it only: another token gets 404, as for an id never filed', async () => {
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-scope', { reportId: 'scope-1' }));
    await noticeOf(p.tokens.reporter, 'scope-1');
    const other = await p.call('GET', '/v1/reports/scope-1', p.tokens.flagger);
    const never = await p.call('GET', '/v1/reports/never-filed', p.tokens.flagger);
    expect([other.status, never.status]).toEqual([404, 404]);
    expect(other.body.error.code).toBe(never.body.error.code);
    // The full id of someone else's report is not a way in either.
    const full = await p.call('GET', `/v1/reports/${await tokenIdOf(p.tokens.reporter)}.scope-1`, p.tokens.flagger);
    expect(full.status).toBe(404);
    // A generated id works for its filer only.
    const generated = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-scope'));
    await eventually(() => getNotice(p.ctx.es, p.deps.indices.notices, generated.body.reportId));
    expect((await p.call('GET', `/v1/reports/${generated.body.reportId}`, p.tokens.reporter)).status).toBe(200);
    expect((await p.call('GET', `/v1/reports/${generated.body.reportId}`, p.tokens.flagger)).status).toBe(404);
  });

  it('answers from the queued job before triage has written the record', async () => {
    // Held on the queue: no worker can take the job (a paused worker may still hold a fetch in flight).
    await p.deps.reports.queue.pause();
    try {
      const r = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-queued', { reportId: 'queued-1' }));
      expect(r.status).toBe(202);
      expect(await getNotice(p.ctx.es, p.deps.indices.notices, `${await tokenIdOf(p.tokens.reporter)}.queued-1`)).toBeUndefined();
      const shown = await p.call('GET', '/v1/reports/queued-1', p.tokens.reporter);
      expect(shown.status).toBe(200);
      expect(shown.body).toEqual({ reportId: 'queued-1', status: 'received', acknowledgement: r.body.acknowledgement, category: 'drugs', contentId: 'post-queued', decisions: [] });
      expect((await p.call('GET', '/v1/reports/queued-1', p.tokens.flagger)).status).toBe(404);
    } finally {
      await p.deps.reports.queue.resume();
    }
    await noticeOf(p.tokens.reporter, 'queued-1');
    expect((await p.call('GET', '/v1/reports/queued-1', p.tokens.reporter)).body.status).toBe('in_review');
  });

  it('writes no notice for Takedown\'s own scans', async () => {
    const scan: ReportJob = {
      reportId: 'scan-notice-check',
      receivedAt: new Date().toISOString(),
      content: { id: 'post-scanned', type: 'post', text: 'Selling cocaine tonight', authorId: 'a' },
      reporter: { type: 'automated' },
      filedBy: SYSTEM_FILER,
      ruleIds: ['drugs-sale'],
      reason: 'drugs',
    };
    const job = await p.deps.reports.add(scan, { jobId: scan.reportId });
    // Triage writes a notice inside the job: once the job has completed, none will come.
    await eventually(async () => (await job.getState()) === 'completed');
    expect(await getNotice(p.ctx.es, p.deps.indices.notices, scan.reportId)).toBeUndefined();
  });

  it('tells the reporter of an automated removal that automated means decided it', async () => {
    // Known material by hash, reported by the platform's detector (whose copy triage trusts): triage removes it at once.
    const r = await p.call('POST', '/v1/reports', p.tokens.detector, reportBody('post-auto', { reportId: 'auto-1', content: { id: 'post-auto', type: 'post', authorId: 'a', mediaSha256: ['ab'.repeat(32)] }, reporter: { type: 'automated' }, reason: 'csam' }));
    expect(r.status).toBe(202);
    const n = await eventually(async () => {
      const got = await getNotice(p.ctx.es, p.deps.indices.notices, `${await tokenIdOf(p.tokens.detector)}.auto-1`);
      return got && got.decisions.length > 0 ? got : undefined;
    }, 20_000);
    expect(n.decisions).toEqual([expect.objectContaining({ outcome: 'removed', automated: true, statementPuid: n.decisions[0]?.decisionId })]);
  });

  it('sends a decision notice to every report received before the decision, and a new one after an appeal decision', async () => {
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-decided', { reportId: 'dec-1' }));
    await p.call('POST', '/v1/reports', p.tokens.flagger, reportBody('post-decided', { reportId: 'dec-2', reporter: { type: 'trusted_flagger' } }));
    await noticeOf(p.tokens.reporter, 'dec-1');
    await noticeOf(p.tokens.flagger, 'dec-2');
    const claimed = await claimCase(p, 'post-decided');
    const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' });
    expect(d.status).toBe(201);
    for (const [token, ref] of [[p.tokens.reporter, 'dec-1'], [p.tokens.flagger, 'dec-2']] as const) {
      const shown = await eventually(async () => {
        const s = await p.call('GET', `/v1/reports/${ref}`, token);
        return s.body.decisions?.length === 1 ? s.body : undefined;
      });
      expect(shown.status).toBe('decided');
      expect(shown.decisions).toEqual([
        {
          decisionId: d.body.decisionId,
          outcome: 'removed',
          decidedAt: expect.any(String),
          automated: false,
          statementPuid: d.body.decisionId,
          redress: expect.stringMatching(/6 months.*out-of-court dispute settlement.*court/s),
          notifiedAt: expect.any(String),
        },
      ]);
    }

    const a = await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId: 'post-decided', decisionId: d.body.decisionId, reason: 'It was sugar' });
    expect(a.status).toBe(202);
    const other = await claimCase(p, 'post-decided', p.tokens.moderator2, 'appeals');
    const keep = await p.call('POST', `/v1/review/${other.case.id}/decision`, p.tokens.moderator2, { leaseToken: other.lease.token, action: 'keep', category: 'drugs', legalGround: 'Appeal upheld: no sale' });
    expect(keep.status).toBe(201);
    const after = await eventually(async () => {
      const s = await p.call('GET', '/v1/reports/dec-1', p.tokens.reporter);
      return s.body.decisions?.length === 2 ? s.body : undefined;
    });
    expect(after.decisions[1]).toEqual({
      decisionId: keep.body.decisionId,
      outcome: 'no_action',
      decidedAt: expect.any(String),
      automated: false,
      appealOf: d.body.decisionId,
      redress: expect.stringMatching(/out-of-court dispute settlement/),
      notifiedAt: expect.any(String),
    });
    // A report joining the decided case is answered by the decision in force.
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-decided', { reportId: 'dec-3' }));
    const late = await eventually(async () => {
      const s = await p.call('GET', '/v1/reports/dec-3', p.tokens.reporter);
      return s.body.decisions?.length === 1 ? s.body : undefined;
    });
    expect(late.decisions[0]).toMatchObject({ decisionId: keep.body.decisionId, outcome: 'no_action' });

    // A replayed decision writes nothing new.
    const { applyDecision } = await import('@takedown/actions-worker');
    const decision = await p.deps.cases.decision(other.case.id, keep.body.decisionId);
    await applyDecision(p.actionsDeps, { decisionId: keep.body.decisionId, caseId: other.case.id, contentId: 'post-decided', action: 'keep', category: 'drugs', legalGround: 'Appeal upheld: no sale', decidedBy: decision!.decidedBy, decidedAt: decision!.decidedAt });
    const stored = await noticeOf(p.tokens.reporter, 'dec-1');
    expect(stored.decisions.map((x) => x.decisionId)).toEqual([d.body.decisionId, keep.body.decisionId]);
  });
});

describe('Art. 15 figures over stored records', () => {
  beforeAll(async () => {
    const fx = art15Fixture();
    const { es } = p.ctx;
    const idx = p.deps.indices;
    const operations: unknown[] = [];
    for (const n of fx.notices) {
      operations.push({ index: { _index: idx.notices, _id: `fx.${n.id}` } }, {
        reportId: `fx.${n.id}`, reference: n.id, tokenId: 'fx', reporterType: n.reporterType, ...(n.memberState ? { memberState: n.memberState } : {}),
        category: n.category, contentId: `fx-post-${n.id}`, caseId: `fx-case-${n.id}`, receivedAt: n.receivedAt, acknowledgedAt: n.acknowledgedAt,
        decisions: n.decisions.map((d, i) => ({ decisionId: `fx-${n.id}-${i}`, outcome: d.outcome, decidedAt: d.decidedAt, automated: false, redress: 'x', notifiedAt: d.decidedAt })),
      });
    }
    for (const s of fx.statements) operations.push({ index: { _index: idx.statements, _id: s.puid } }, { puid: s.puid, source_type: s.source_type, automated_decision: s.automated_decision, decidedAt: s.decidedAt, takedownCategory: s.takedownCategory });
    for (const o of fx.legalOrders) {
      operations.push({ index: { _index: idx.legalRequests, _id: `fx-${o.id}` } }, {
        id: `fx-${o.id}`, type: o.type, agency: { id: 'fx', name: 'Fixture agency', country: o.agencyCountry, function: 'law_enforcement' }, offenceCategory: o.offenceCategory,
        times: { receivedAt: o.receivedAt, ...(o.acknowledgedAt ? { acknowledgedAt: o.acknowledgedAt } : {}), ...(o.deliveredAt ? { deliveredAt: o.deliveredAt } : {}) },
      });
    }
    // Appeals as the audit chain records them: the decision appealed, the complaint, the decision on it.
    let seq = 90_000_000;
    const audit = (e: Record<string, unknown>) => {
      seq++;
      operations.push({ index: { _index: idx.audit, _id: String(seq) } }, { seq, streamId: 'fx', actor: 'fx', prevHash: 'fx', hash: 'fx', ...e });
    };
    for (const a of fx.appeals) {
      const appealed = `fx-${a.id}-appealed`;
      const before = new Date(Date.parse(a.receivedAt) - 3_600_000).toISOString();
      audit({ type: 'decision.recorded', at: before, caseId: `fx-${a.id}`, action: a.appealedAction, category: a.category, data: { decisionId: appealed, action: a.appealedAction, category: a.category } });
      audit({ type: 'appeal.received', at: a.receivedAt, caseId: `fx-${a.id}`, data: { decisionId: appealed } });
      if (a.decision) audit({ type: 'decision.recorded', at: a.decision.decidedAt, caseId: `fx-${a.id}`, action: a.decision.action, category: a.category, data: { decisionId: `fx-${a.id}-answer`, action: a.decision.action, category: a.category, appealOf: appealed } });
    }
    const res = await es.bulk({ operations, refresh: 'wait_for' });
    expect(res.errors).toBe(false);
  });

  it('answers the pure function\'s figures for the fixture, in JSON and CSV, for a period and for the same days as a range', async () => {
    const fx = art15Fixture();
    const expected = aggregateArt15(fx, { period: fx.period });
    const r = await p.call('GET', '/v1/transparency/dsa?period=2026-Q3', p.tokens.lead);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(expected)));
    const range = await p.call('GET', '/v1/transparency/dsa?from=2026-07-01&to=2026-09-30', p.tokens.legal);
    expect(range.body).toEqual({ ...JSON.parse(JSON.stringify(expected)), period: '2026-07-01..2026-09-30' });
    const csv = await fetch(`${p.url}/v1/transparency/dsa?period=2026-Q3&format=csv`, { headers: { authorization: `Bearer ${p.tokens.admin}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe(art15Csv(expected));
  });

  it('refuses a bad period naming the field, and a period holding more records than it may read', async () => {
    const bad = await p.call('GET', '/v1/transparency/dsa?period=2026-Q5', p.tokens.lead);
    expect([bad.status, bad.body.error.field]).toEqual([400, '/period']);
    const open = await p.call('GET', '/v1/transparency/dsa?from=2026-07-01', p.tokens.lead);
    expect([open.status, open.body.error.field]).toEqual([400, '/to']);
    await expect(
      readArt15Records({ es: p.deps.esScan, indices: p.deps.indices, legal: p.deps.legal.deps.store }, '2026-Q3', new Date('2026-07-01T00:00:00Z'), new Date('2026-10-01T00:00:00Z'), 3),
    ).rejects.toMatchObject({ status: 422, code: 'period_too_large', field: '/period' });
  });
});
