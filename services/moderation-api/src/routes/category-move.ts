import { Router } from 'express';
import {
  ConflictError,
  ForbiddenError,
  SEVERITY,
  actorOf,
  isSamePerson,
  isCsamCase,
  laneScore,
  newId,
  routeLane,
  type CaseMove,
  type CaseRecord,
  type CategoryMove,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateCategoryMoveBody, validateCategoryMoveConfirmBody } from '../http/schemas';
import { assertMaySee, requireCase } from './cases';

/** Attempts when the case changes between our read and the write (a report folded in, a claim). */
const MAX_ATTEMPTS = 5;

/**
 * Moving a case into or out of the csam category: one person asks, a
 * second person holding the csam grant confirms or rejects, every step
 * audited. A move into csam restricts the case at once (csam lane, hidden
 * from uncleared people); a move out keeps it restricted until confirmed.
 */
export function categoryMoveRoutes(deps: ApiDeps): Router {
  const r = Router();

  r.post('/v1/cases/:caseId/category-move', guard(deps, 'POST /v1/cases/:caseId/category-move'), async (req, res) => {
    const body = validateCategoryMoveBody(req.body);
    const p = principalOf(req);
    const actor = actorOf(p);
    const caseId = String(req.params['caseId']);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const c = await requireCase(deps, caseId);
      // Out of csam: only a cleared person may even look at the case.
      assertMaySee(p, c);
      if (c.categoryMove) throw pendingConflict(c, 'to');
      const into = body.to === 'csam';
      if (isCsamCase(c) === into) {
        throw new ConflictError(
          into
            ? `case ${c.id} is already restricted as csam`
            : `case ${c.id} is not csam; a move between other categories is made by deciding the case`,
          'not_a_csam_move',
          'to',
        );
      }
      const now = new Date();
      const move: CategoryMove = { id: newId('m'), from: c.category, to: body.to, fromLane: c.lane, requestedBy: actor, requestedAt: now.toISOString(), reason: body.reason };
      // Into csam: on the restricted lane now, and nobody uncleared keeps a lease on it. Out: it stays where it is until confirmed.
      const lane = into ? 'csam' : c.lane;
      const lease: CaseMove['lease'] = body.leaseToken ? 'release' : into && c.status === 'claimed' ? 'end' : 'keep';
      const moved = await deps.cases.move(
        c,
        {
          lane,
          set: { categoryMove: move },
          unset: [],
          lease,
          ...(body.leaseToken ? { leaseToken: body.leaseToken } : {}),
          audit: {
            type: 'case.category_move_requested',
            actor,
            at: move.requestedAt,
            caseId: c.id,
            contentId: c.contentId,
            data: {
              moveId: move.id,
              from: move.from,
              to: move.to,
              reason: move.reason,
              requestedBy: actor,
              before: { category: c.category, lane: c.lane },
              after: { category: c.category, lane },
              ...(lease === 'release' ? { leaseReleased: true } : {}),
              ...(lease === 'end' && c.lease ? { leaseEndedFor: c.lease.holder } : {}),
            },
          },
        },
        now,
      );
      if (moved === 'moved') {
        res.status(202).json({ caseId: c.id, categoryMove: move, lane, category: c.category });
        return;
      }
    }
    throw changing(caseId);
  });

  r.post('/v1/cases/:caseId/category-move/confirm', guard(deps, 'POST /v1/cases/:caseId/category-move/confirm'), async (req, res) => {
    const body = validateCategoryMoveConfirmBody(req.body);
    const p = principalOf(req);
    const actor = actorOf(p);
    const caseId = String(req.params['caseId']);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const c = await requireCase(deps, caseId);
      assertMaySee(p, c);
      const move = c.categoryMove;
      if (!move) throw new ConflictError(`case ${c.id} has no category move awaiting confirmation`, 'no_category_move', 'confirm');
      if (!p.grants.csam) throw new ForbiddenError('confirming or rejecting a category move takes the csam grant', 'csam_not_allowed');
      // The two-person rule compares people (actor ids, former identities included), never tokens.
      if (isSamePerson(p, move.requestedBy)) throw new ForbiddenError('the person who asked for a category move cannot confirm or reject it; a second cleared person must', 'same_person');
      const now = new Date();
      const outcome = body.confirm ? confirmed(c, move) : rejected(c, move);
      const moved = await deps.cases.move(
        c,
        {
          lane: outcome.lane,
          set: outcome.set,
          unset: ['categoryMove'],
          lease: 'keep',
          audit: {
            type: body.confirm ? 'case.category_moved' : 'case.category_move_rejected',
            actor,
            at: now.toISOString(),
            caseId: c.id,
            contentId: c.contentId,
            data: {
              moveId: move.id,
              from: move.from,
              to: move.to,
              reason: move.reason,
              requestedBy: move.requestedBy,
              ...(body.confirm ? { confirmedBy: actor } : { rejectedBy: actor }),
              ...(body.note ? { note: body.note } : {}),
              before: { category: c.category, lane: c.lane },
              after: { category: outcome.set.category ?? c.category, lane: outcome.lane },
            },
          },
        },
        now,
      );
      if (moved === 'moved') {
        res.json({ caseId: c.id, outcome: body.confirm ? 'confirmed' : 'rejected', category: outcome.set.category ?? c.category, lane: outcome.lane });
        return;
      }
    }
    throw changing(caseId);
  });

  return r;
}

/** A confirmed move: the new category, its severity in the priority (boosts kept), and the lane it routes to. */
function confirmed(c: CaseRecord, move: CategoryMove): { lane: CaseRecord['lane']; set: CaseMove['set'] } {
  const priority = Math.max(0, Math.min(999, c.priority - SEVERITY[c.category] + SEVERITY[move.to]));
  const into = move.to === 'csam';
  return {
    // Out of csam: to the appeals lane for an open appeal, else the default lane (an escalation restarts there).
    lane: into ? 'csam' : routeLane(move.to, { appeal: c.appealOf !== undefined }),
    // A confirmed move out clears the csam signal: two cleared people have looked; a later csam report raises it again.
    set: { category: move.to, priority, score: laneScore(priority, new Date(c.firstReportedAt)), ...(into ? {} : { csamSignal: false }) },
  };
}

/** A rejected move: into csam, back to the lane it came from (unless something else keeps it csam); out, it stays. */
function rejected(c: CaseRecord, move: CategoryMove): { lane: CaseRecord['lane']; set: CaseMove['set'] } {
  if (move.to !== 'csam') return { lane: c.lane, set: {} };
  const stillCsam = isCsamCase({ ...c, categoryMove: undefined, lane: move.fromLane });
  return { lane: stillCsam ? 'csam' : move.fromLane, set: {} };
}

function pendingConflict(c: CaseRecord, field: string): ConflictError {
  const e = new ConflictError(`case ${c.id} already has a category move awaiting confirmation (${c.categoryMove?.from} → ${c.categoryMove?.to})`, 'category_move_pending', field);
  e.details = { confirm: `POST /v1/cases/${c.id}/category-move/confirm` };
  return e;
}

function changing(caseId: string): ConflictError {
  return new ConflictError(`case ${caseId} kept changing while the move was written; try again`, 'case_changed');
}
