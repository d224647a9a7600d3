import type { Client } from '@elastic/elasticsearch';
import type { ActionsMetrics } from './actions-metrics';
import {
  caseIdFor,
  UnrecoverableError,
  actionJobFor,
  appendAudit,
  canonicalJson,
  moderationFor,
  hidesContent,
  publishTakedown,
  takedownMessageFor,
  composeStatement,
  textDigest,
  type ActionJob,
  type CaseRecord,
  type CaseStore,
  type ContentDocument,
  type DecisionRecord,
  type RedisClient,
  type ReportJob,
  noticeOutcomeOf,
  recordDecisionNotices,
  reportsOwedNotice,
  isEsConflict,
} from '@takedown/shared';

export interface ActionsDeps {
  cases: CaseStore;
  es: Client;
  /** Publishes takedowns; any client not in subscriber mode. */
  redis: RedisClient;
  contentIndex: string;
  statementsIndex: string;
  /** DSA Art. 16 notices: the decision notice goes to each report of the case received before the decision. */
  noticesIndex: string;
  now?: () => Date;
  /** Counts decisions handled (the actions worker's process registry). */
  metrics?: ActionsMetrics;
}

const reviewed = (normalizedText: string | undefined) => (normalizedText === undefined ? {} : { reviewedDigest: textDigest(normalizedText) });

/**
 * applied: the content now carries the decision; replay: it already did and
 * the decision was recorded applied (a retried or duplicated job);
 * superseded: the content carries a newer decision of the case (a higher
 * sequence number), so this one is recorded settled and changes nothing.
 */
export type ApplyOutcome = 'applied' | 'replay' | 'superseded';


/**
 * Applies a recorded decision to the content. Idempotent: the document
 * remembers the decision id it carries, and the decision remembers that it
 * was applied, so a replayed job (a retry after a crash, a duplicate from
 * the outbox sweeper) changes nothing. Ordered: the document also carries
 * the sequence number of its decision (`moderation.decisionSeq`), and a
 * decision older than that one is never written over it, whatever order
 * the jobs run in.
 */
export async function applyDecision(deps: ActionsDeps, job: ActionJob, jobId: string = job.decisionId): Promise<ApplyOutcome> {
  const now = deps.now?.() ?? new Date();
  const decision = await recordedDecisionFor(deps, job, jobId, now);
  if (decision.appliedAt) {
    deps.metrics?.handled(decision, 'replay');
    return 'replay';
  }
  // Read beside the content write, not before it: the case is needed only after the takedown is published (time to invisible).
  const caseRead = deps.cases.get(job.caseId);
  caseRead.catch(() => undefined);
  const moderation = moderationFor(decision, now.toISOString());
  const message = takedownMessageFor(moderation, job.contentId, now);
  // A removal or restriction is announced before the content write, so search instances hide the content two
  // Elasticsearch round trips sooner. Only ever more hiding: if the write then fails, the job retries with the
  // content already hidden; if it finds a newer decision (superseded), each instance drops the entry once
  // Elasticsearch shows that newer decision (the tracker compares decisionSeq). Anything that shows content
  // again (keep, label) is announced only after the write, as before: announced early, it could clear an
  // instance's entry for a newer removal that Elasticsearch has not yet made searchable.
  const hides = hidesContent(message);
  if (hides) await publishTakedown(deps.redis, deps.cases.keys, message, now);

  const written = await updateContent(deps, job.contentId, moderation);
  if (written.result === 'superseded') {
    const recorded = await deps.cases.recordAction(job.caseId, decision.id, now, now.getTime() - Date.parse(decision.decidedAt), {
      type: 'action.superseded',
      actor: 'system:actions',
      at: now.toISOString(),
      caseId: job.caseId,
      contentId: job.contentId,
      data: { decisionId: decision.id, supersededBy: written.by },
    });
    deps.metrics?.handled(decision, recorded ? 'superseded' : 'replay');
    return recorded ? 'superseded' : 'replay';
  }

  if (!hides) await publishTakedown(deps.redis, deps.cases.keys, message, now);

  const c = await caseRead;
  const statement = c ? await storeStatement(deps, c, decision, now) : 'no_case';

  // Before the action is recorded: a failure here retries the job, and every notice write is idempotent.
  await notifyReporters(deps, decision, now, statement === 'pending' || statement === 'invalid');

  const latencyMs = now.getTime() - Date.parse(decision.decidedAt);
  const recorded = await deps.cases.recordAction(job.caseId, decision.id, now, latencyMs, {
    type: 'action.applied',
    actor: 'system:actions',
    at: now.toISOString(),
    caseId: job.caseId,
    contentId: job.contentId,
    // The category too: an automated decision has no decision.recorded event, and the Art. 15 appeals figures count by it.
    data: { decisionId: decision.id, action: decision.action, category: decision.category, state: moderation.state, restrictedIn: moderation.restrictedIn, statement },
  });
  deps.metrics?.handled(decision, recorded ? 'applied' : 'replay', latencyMs);
  return recorded ? 'applied' : 'replay';
}

/** Reports of a case read per HSCAN page: a viral post's case may hold many, and none is read whole. */
const REPORTS_PAGE = 500;

/**
 * The decision notice (DSA Art. 16(5)) for every token-filed report of the
 * case received before the decision, a page of the case's reports at a
 * time, each page one bulk write.
 */
async function notifyReporters(deps: ActionsDeps, decision: DecisionRecord, now: Date, statementStored: boolean): Promise<void> {
  if (!noticeOutcomeOf(decision.action)) return;
  const key = deps.cases.keys.caseReports(decision.caseId);
  let cursor = '0';
  do {
    const [next, flat] = await deps.redis.hscan(key, cursor, 'COUNT', REPORTS_PAGE);
    cursor = next;
    const reports: ReportJob[] = [];
    for (let i = 1; i < flat.length; i += 2) reports.push(JSON.parse(flat[i] as string) as ReportJob);
    const owed = reportsOwedNotice(reports, decision.decidedAt);
    if (owed.length > 0) await recordDecisionNotices(deps.es, deps.noticesIndex, decision.caseId, owed, decision, now, statementStored);
  } while (cursor !== '0');
}

/**
 * Composes the decision's statement of reasons (see composeStatement) and
 * stores it (`_id` = puid = decision id): `pending` or `invalid` with its
 * problems, never dropped. Returns its status, or why none is owed. A
 * replay finds the document there and leaves it.
 */
async function storeStatement(deps: ActionsDeps, c: CaseRecord, decision: DecisionRecord, now: Date): Promise<string> {
  const composed = await composeStatement(deps, c, decision, now);
  if (!composed.owed) return composed.reason;
  await deps.es.create({ index: deps.statementsIndex, id: decision.id, document: composed.doc }).catch((err: unknown) => {
    if (!isEsConflict(err)) throw err;
  });
  return composed.doc.status;
}

/**
 * The case store's record of the job's decision, when the job says exactly
 * what it says. Only a recorded decision is ever applied: a job without one
 * (made by hand on the job board, say), or whose data differs from it, is
 * refused: audited (ids and the reason only, never the job's data) and
 * failed without retry (BullMQ's UnrecoverableError).
 */
async function recordedDecisionFor(deps: ActionsDeps, job: ActionJob, jobId: string, now: Date): Promise<DecisionRecord> {
  const decision = await deps.cases.decision(job.caseId, job.decisionId);
  const reason = !decision ? 'not_recorded' : canonicalJson(actionJobFor(decision)) !== canonicalJson(job) ? 'differs' : undefined;
  if (decision && !reason) return decision;
  await appendAudit(deps.redis, deps.cases.keys, {
    type: 'action.refused',
    actor: 'system:actions',
    at: now.toISOString(),
    caseId: job.caseId,
    contentId: job.contentId,
    data: { decisionId: job.decisionId, jobId, reason },
  });
  throw new UnrecoverableError(
    reason === 'not_recorded' ? `decision ${job.decisionId} is not recorded: refused` : `job ${jobId} differs from recorded decision ${job.decisionId}: refused`,
  );
}

type Written = { result: 'written' | 'same' } | { result: 'superseded'; by: string };

/**
 * The sequence number of the decision a document carries: its own field,
 * else (a document written before the field existed, or re-indexed without
 * it) the case store's record of that decision; 0 when neither knows.
 */
async function carriedSeq(deps: ActionsDeps, contentId: string, m: ContentDocument['moderation']): Promise<number> {
  if (!m?.decisionId) return 0;
  if (m.decisionSeq !== undefined) return m.decisionSeq;
  // A document's decisions are its case's (one case per content id).
  return (await deps.cases.decision(caseIdFor(contentId), m.decisionId))?.seq ?? 0;
}

/**
 * Writes the moderation fields with optimistic concurrency (seq_no /
 * primary_term, re-reading on a conflict), skipping the write when the
 * document already carries this decision, and refusing it ("superseded")
 * when the document carries a newer decision of the case: the check and
 * the write see the same version of the document, so an older decision
 * never lands over a newer one. Content that is not in the index yet gets
 * a placeholder carrying only the decision (never a reporter's copy of the
 * text: that would put words anyone can write into the platform's index).
 * Ingest keeps the decision when the post arrives, and the search never
 * shows a placeholder.
 */
async function updateContent(deps: ActionsDeps, contentId: string, moderation: NonNullable<ContentDocument['moderation']>): Promise<Written> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const got = await deps.es.get<ContentDocument>({ index: deps.contentIndex, id: contentId, _source_includes: ['moderation'] }, { ignore: [404] });
    if (!got.found) {
      const doc = { id: contentId, moderation: { ...moderation, placeholder: true } };
      try {
        await deps.es.create({ index: deps.contentIndex, id: contentId, document: doc });
        return { result: 'written' };
      } catch (err) {
        if (isEsConflict(err)) continue; // indexed meanwhile
        throw err;
      }
    }
    const stored = got._source?.moderation;
    if (stored?.decisionId === moderation.decisionId) return { result: 'same' };
    // A decision without a number (recorded before numbering) is older than any numbered one.
    if (stored?.decisionId && (moderation.decisionSeq ?? 0) < (await carriedSeq(deps, contentId, stored))) return { result: 'superseded', by: stored.decisionId };
    try {
      await deps.es.update({
        index: deps.contentIndex,
        id: contentId,
        if_seq_no: got._seq_no,
        if_primary_term: got._primary_term,
        // What the decision reviewed: an edit after it is told apart from a re-index of the same words.
        doc: { moderation: { ...stored, ...moderation, ...reviewed(stored?.normalizedText) } },
      });
      return { result: 'written' };
    } catch (err) {
      if (isEsConflict(err)) continue; // changed meanwhile: re-read
      throw err;
    }
  }
  throw new Error(`content ${contentId}: too many concurrent changes; will retry`);
}
