import { Router } from 'express';
import {
  ConflictError,
  ForbiddenError,
  actionJobFor,
  actorOf,
  categoryMovePending,
  hidesContent,
  isCsamCase,
  laneScore,
  moderationFor,
  newId,
  publishTakedown,
  takedownMessageFor,
  type DecisionRecord,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateClaimBody, validateDecisionBody, validateLeaseBody } from '../http/schemas';
import { assertMaySee, requireCase } from './cases';

/** How much an escalation raises a case's priority on the escalated lane. */
const ESCALATION_BOOST = 150;

/** Claim, heartbeat, release and decide: the leased review queue. */
export function reviewRoutes(deps: ApiDeps): Router {
  const r = Router();

  r.post('/v1/review/claim', guard(deps, 'POST /v1/review/claim'), deps.limits.claims, async (req, res) => {
    const { queue } = validateClaimBody(req.body);
    const p = principalOf(req);
    if (queue === 'csam' && !p.grants.csam) {
      throw new ForbiddenError('the csam queue is restricted to moderators cleared for it', 'csam_not_allowed');
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await deps.cases.claim(queue, actorOf(p), new Date(), p.formerActors);
      if (!claimed) break;
      if (p.grants.csam || !isCsamCase(claimed.case)) {
        res.json({ case: claimed.case, lease: { token: claimed.lease.token, expiresAt: claimed.lease.expiresAt } });
        return;
      }
      // A csam case off the csam lane (recorded before triage kept the csam signal): never shown, sent where it belongs.
      await deps.cases.move(claimed.case, {
        lane: 'csam',
        set: {},
        unset: [],
        lease: 'end',
        audit: { type: 'case.restricted', actor: 'system', at: new Date().toISOString(), caseId: claimed.case.id, contentId: claimed.case.contentId, data: { from: claimed.case.lane, to: 'csam' } },
      });
    }
    res.status(204).end();
  });

  r.post('/v1/review/:caseId/heartbeat', guard(deps, 'POST /v1/review/:caseId/heartbeat'), async (req, res) => {
    const { leaseToken } = validateLeaseBody(req.body);
    const c = await requireCase(deps, String(req.params['caseId']));
    assertMaySee(principalOf(req), c);
    const lease = await deps.cases.heartbeat(c.id, leaseToken);
    res.json({ lease: { token: lease.token, expiresAt: lease.expiresAt } });
  });

  r.post('/v1/review/:caseId/release', guard(deps, 'POST /v1/review/:caseId/release'), async (req, res) => {
    const { leaseToken } = validateLeaseBody(req.body);
    // No csam check: releasing shows nothing, and a holder whose case turned csam under them must be able to hand it back.
    const c = await requireCase(deps, String(req.params['caseId']));
    await deps.cases.release(c.id, leaseToken, actorOf(principalOf(req)));
    res.status(204).end();
  });

  r.post('/v1/review/:caseId/decision', guard(deps, 'POST /v1/review/:caseId/decision'), async (req, res) => {
    const body = validateDecisionBody(req.body);
    const p = principalOf(req);
    const c = await requireCase(deps, String(req.params['caseId']));
    assertMaySee(p, c);
    // A decision never moves a case across the csam line: that takes a category move and a second cleared person.
    if (c.categoryMove) throw categoryMovePending(c.id);
    const csam = isCsamCase(c);
    if (csam !== (body.category === 'csam')) {
      const e = new ConflictError(
        csam
          ? `case ${c.id} is restricted as csam; deciding it as ${body.category} would move it out of the csam lane. Request a category move (POST /v1/cases/${c.id}/category-move), which a second cleared person confirms`
          : `deciding case ${c.id} as csam moves it into the csam category; request a category move (POST /v1/cases/${c.id}/category-move): the case is restricted at once and a cleared person confirms`,
        'category_move_required',
        'category',
      );
      e.details = { move: `POST /v1/cases/${c.id}/category-move`, to: body.category };
      throw e;
    }
    const now = new Date();
    const decision: DecisionRecord = {
      id: newId('d'),
      caseId: c.id,
      contentId: c.contentId,
      action: body.action,
      category: body.category,
      legalGround: body.legalGround,
      ...(body.countries ? { countries: body.countries } : {}),
      ...(body.note ? { note: body.note } : {}),
      ...(body.ground ? { ground: body.ground } : {}),
      ...(body.explanation ? { explanation: body.explanation } : {}),
      ...(body.alsoIllegal !== undefined ? { alsoIllegal: body.alsoIllegal } : {}),
      decidedBy: actorOf(p),
      decidedAt: now.toISOString(),
      automated: false,
      ...(c.appealOf ? { appealOf: c.appealOf } : {}),
    };
    await deps.cases.decide(
      c.id,
      body.leaseToken,
      decision,
      { lastDecisionId: decision.id, lastAction: decision.action, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt, category: decision.category },
      laneScore(Math.min(999, c.priority + ESCALATION_BOOST), new Date(c.firstReportedAt)),
      {
        type: 'decision.recorded',
        actor: decision.decidedBy,
        at: decision.decidedAt,
        caseId: c.id,
        contentId: c.contentId,
        data: {
          decisionId: decision.id,
          action: decision.action,
          category: decision.category,
          legalGround: decision.legalGround,
          ground: decision.ground,
          countries: decision.countries,
          appealOf: decision.appealOf,
          before: { status: c.status, lastAction: c.lastAction ?? null },
        },
      },
      { escalationLane: csam ? 'csam' : 'escalated', lane: c.lane, category: c.category, csam },
      now,
      p.formerActors,
    );
    if (decision.action === 'remove' || decision.action === 'restrict') await announceEarly(deps, decision, now);
    if (decision.action !== 'escalate') {
      // If this process dies before the add, the outbox sweeper re-adds it.
      await deps.actions.add(actionJobFor(decision), { jobId: decision.id });
    }
    res.status(201).json({ decisionId: decision.id });
  });

  return r;
}

/**
 * A removal or restriction is announced on the takedown channel as soon as
 * it is recorded, so every search instance hides the content before the
 * 201 (time to invisible is the decision's own round trip), not after the
 * actions worker has written the document. Only ever more hiding: the
 * tracker keeps the entry until Elasticsearch shows this decision or a later
 * one of the case (its sequence number, read back from the record), and the
 * worker announces it again as it applies it. A failed announcement costs
 * only the head start: the decision is recorded and its job queued.
 */
async function announceEarly(deps: ApiDeps, decision: DecisionRecord, now: Date): Promise<void> {
  try {
    const recorded = (await deps.cases.decision(decision.caseId, decision.id)) ?? decision;
    const message = takedownMessageFor(moderationFor(recorded, now.toISOString()), decision.contentId, now);
    if (hidesContent(message)) await publishTakedown(deps.redis, deps.cases.keys, message, now);
  } catch (err) {
    deps.logger.warn({ decisionId: decision.id, err: (err as Error).message }, 'early takedown announcement failed; the actions worker announces it when it applies the decision');
  }
}
