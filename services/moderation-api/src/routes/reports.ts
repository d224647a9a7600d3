import { Router } from 'express';
import { ForbiddenError, NAMED_STANDINGS, UnavailableError, actorOf, isTakedownError, newId, type ReportJob } from '@takedown/shared';
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
  r.post('/v1/reports', guard(deps, 'POST /v1/reports'), async (req, res) => {
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
  return r;
}
