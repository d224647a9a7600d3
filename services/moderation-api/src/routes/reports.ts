import { Router } from 'express';
import { newId, type ReportJob } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard } from '../http/auth';
import { validateReportBody } from '../http/schemas';

/**
 * POST /v1/reports: 202 { reportId } once the report job is in Redis.
 * jobId = reportId, so a client retrying with its own reportId makes one
 * report (and triage drops a report id it has already folded).
 */
export function reportRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.post('/v1/reports', guard(deps.tokens, 'POST /v1/reports'), async (req, res) => {
    const body = validateReportBody(req.body);
    const reportId = body.reportId ?? newId('r');
    const job: ReportJob = {
      reportId,
      receivedAt: new Date().toISOString(),
      content: body.content,
      reporter: body.reporter,
      reason: body.reason,
      ...(body.note ? { note: body.note } : {}),
    };
    await deps.reports.add(job, { jobId: reportId });
    res.status(202).json({ reportId });
  });
  return r;
}
