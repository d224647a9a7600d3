import { Router } from 'express';
import { actorOf, caseIdFor, isCsamCase, laneScore, routeLane } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateAppealBody } from '../http/schemas';

/** Appeals rank above fresh reports of the same category: a wrongly removed post is a live harm. */
const APPEAL_BOOST = 100;

/**
 * POST /v1/appeals: the case goes back for review, to the appeals queue
 * (abuse material stays on the restricted csam queue), and only a moderator
 * other than the one who made the decision may decide it (DSA Art. 20).
 */
export function appealRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.post('/v1/appeals', guard(deps, 'POST /v1/appeals'), async (req, res) => {
    const body = validateAppealBody(req.body);
    const caseId = caseIdFor(body.contentId);
    const c = await deps.cases.get(caseId);
    const now = new Date();
    const lane = routeLane(c?.category ?? 'other', { appeal: true, restricted: c !== undefined && isCsamCase(c) });
    const appeal = { decisionId: body.decisionId, reason: body.reason, receivedAt: now.toISOString(), filedBy: actorOf(principalOf(req)) };
    await deps.cases.appeal(
      caseId,
      body.decisionId,
      lane,
      laneScore(Math.min(999, (c?.priority ?? 0) + APPEAL_BOOST), now),
      appeal,
      { type: 'appeal.received', actor: appeal.filedBy, at: appeal.receivedAt, caseId, contentId: body.contentId, data: { decisionId: body.decisionId, lane } },
      now,
    );
    res.status(202).json({ caseId, queue: lane });
  });
  return r;
}
