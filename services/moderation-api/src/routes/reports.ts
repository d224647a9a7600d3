import { Router } from 'express';
import { ForbiddenError, NAMED_STANDINGS, NotFoundError, UnavailableError, actorOf, getNotice, isTakedownError, newId, type NoticeRecord, type ReportJob } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateReportBody } from '../http/schemas';

/**
 * POST /v1/reports: 202 { reportId, acknowledgement } once the report job
 * is in Redis (the DSA Art. 16(4) confirmation of receipt; its time is the
 * report's receivedAt, stamped just before the job was stored).
 * A client's own reportId is scoped to its token (stored as
 * "<token id>.<reportId>", the BullMQ jobId), so a retry makes one report
 * and no client can pre-empt another's ids; triage drops a report id it has
 * already folded. The reporter's standing comes from the token, never the body.
 */
export function reportRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.post('/v1/reports', guard(deps, 'POST /v1/reports'), deps.limits.intake, async (req, res) => {
    const body = validateReportBody(req.body);
    const principal = principalOf(req);
    const standing = principal.grants.standing;
    const claimed = body.reporter?.type;
    if (claimed !== undefined && claimed !== 'user' && claimed !== standing) {
      throw new ForbiddenError(`this token's person holds no ${claimed} standing; an admin grants standing to the person`, 'standing_not_granted', '/reporter/type');
    }
    const reportId = body.reportId === undefined ? newId('r') : `${principal.tokenId}.${body.reportId}`;
    const type = claimed ?? standing ?? 'user';
    // A trusted flagger or authority is named, with its member state, from its person (an admin set both); nobody else is.
    const named = type !== 'user' && NAMED_STANDINGS.includes(type) ? { name: principal.name.slice(0, 200), ...(principal.grants.memberState ? { memberState: principal.grants.memberState } : {}) } : {};
    const job: ReportJob = {
      reportId,
      receivedAt: new Date().toISOString(),
      content: body.content,
      reporter: { ...(body.reporter?.id ? { id: body.reporter.id } : {}), type, ...named },
      filedBy: { tokenId: principal.tokenId, name: principal.name, actorId: actorOf(principal) },
      reason: body.reason,
      ...(body.note ? { note: body.note } : {}),
    };
    try {
      await deps.reports.add(job, { jobId: reportId });
    } catch (err) {
      if (isTakedownError(err)) throw err;
      // The queue's Redis timed out or is down (requestPathQueueConnection bounds the wait). The job may still
      // have landed: a retry with the same reportId makes one report.
      throw new UnavailableError('the report queue (Redis) is unavailable; retry with the same reportId', 'queue_unavailable', { cause: err });
    }
    // The Art. 16 acknowledgement: the report is durable (in Redis) from here on; the reference is the id the client knows.
    const reference = body.reportId ?? reportId;
    res.status(202).json({ reportId: reference, acknowledgement: { reference, acknowledgedAt: job.receivedAt } });
  });

  /**
   * GET /v1/reports/:reportId: the report's Art. 16 acknowledgement and
   * decision notices, to the token that filed it only (any other caller
   * gets the 404 an unknown id gets: whether a report exists is itself not
   * theirs to learn). Before triage has written the notice record, the
   * queued job answers: an acknowledged report is never "not found".
   */
  r.get('/v1/reports/:reportId', guard(deps, 'GET /v1/reports/:reportId'), async (req, res) => {
    const principal = principalOf(req);
    const reference = String(req.params['reportId']);
    const notFound = () => new NotFoundError(`no report ${reference.slice(0, 120)} filed with this token`, 'not_found', 'reportId');
    if (!REFERENCE.test(reference)) throw notFound();
    // The client's own id is stored under its token's scope; a generated one as it is.
    const candidates = [`${principal.tokenId}.${reference}`, ...(reference.startsWith('r_') ? [reference] : [])];
    for (const id of candidates) {
      const notice = await getNotice(deps.es, deps.indices.notices, id);
      if (notice && notice.tokenId === principal.tokenId) {
        res.json(noticeView(notice));
        return;
      }
    }
    for (const id of candidates) {
      const job = await deps.reports.queue.getJob(id);
      const data = job?.data as ReportJob | undefined;
      if (data && data.filedBy?.tokenId === principal.tokenId) {
        res.json({
          reportId: reference,
          status: 'received',
          acknowledgement: { reference, acknowledgedAt: data.receivedAt },
          category: data.reason,
          contentId: data.content.id,
          decisions: [],
        });
        return;
      }
    }
    throw notFound();
  });
  return r;
}

/** What a client sends as its reportId (see validateReportBody), or a generated id. */
const REFERENCE = /^[A-Za-z0-9._-]{1,120}$/;

/** The notice as its reporter sees it: no token id, no standing details. */
function noticeView(n: NoticeRecord) {
  return {
    reportId: n.reference,
    status: n.decisions.length > 0 ? 'decided' : 'in_review',
    acknowledgement: { reference: n.reference, acknowledgedAt: n.acknowledgedAt },
    category: n.category,
    contentId: n.contentId,
    decisions: n.decisions,
  };
}
