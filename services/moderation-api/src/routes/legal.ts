import { Router, type Request } from 'express';
import { NotFoundError, ValidationError, transparencyCsv } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import {
  NOTICE_ID_PATTERN,
  REQUEST_ID_PATTERN,
  validateAgencyBody,
  validateDeliveredBody,
  validateFollowUpBody,
  validateInfoReceivedBody,
  validateIntakeBody,
  validateLegalListQuery,
  validateNoteBody,
  validateNoticeQuery,
  validateRejectBody,
  validateTargetDecisionBody,
  validateTransparencyQuery,
} from '../http/legal-schemas';

/** A request id from the path: anything that is not one of ours is a 404 like an unknown one. */
function requestIdOf(req: Request): string {
  const id = String(req.params['requestId']);
  if (!REQUEST_ID_PATTERN.test(id)) throw new NotFoundError(`no legal request ${id.slice(0, 40)}`, 'not_found', 'requestId');
  return id;
}

/** The legal desk (see legal/legal-desk.ts) and the public transparency report. */
export function legalRoutes(deps: ApiDeps): Router {
  const r = Router();
  const desk = deps.legal;
  const body = (req: Request) => req.body ?? {};

  // ---- agencies (registered by an admin)

  r.post('/v1/legal/agencies', guard(deps, 'POST /v1/legal/agencies'), async (req, res) => {
    res.status(201).json({ agency: await desk.registerAgency(validateAgencyBody(req.body), principalOf(req)) });
  });

  r.get('/v1/legal/agencies', guard(deps, 'GET /v1/legal/agencies'), async (_req, res) => {
    res.json({ agencies: await desk.deps.store.listAgencies() });
  });

  r.get('/v1/legal/agencies/:agencyId', guard(deps, 'GET /v1/legal/agencies/:agencyId'), async (req, res) => {
    res.json({ agency: await desk.deps.store.requireAgency(String(req.params['agencyId']), 'agencyId') });
  });

  // ---- requests

  r.post('/v1/legal/requests', guard(deps, 'POST /v1/legal/requests'), async (req, res) => {
    const p = principalOf(req);
    const record = await desk.intake(validateIntakeBody(req.body, desk.now()), p);
    res.status(201).json({ request: desk.view(record, p) });
  });

  r.get('/v1/legal/requests', guard(deps, 'GET /v1/legal/requests'), async (req, res) => {
    const p = principalOf(req);
    const q = validateLegalListQuery(req.query);
    if (p.role === 'agency' && q.agency !== undefined && q.agency !== p.grants.agency) {
      // Another agency's requests: none, as far as this caller can tell.
      res.json({ total: 0, requests: [] });
      return;
    }
    const { total, requests } = await desk.deps.store.list({
      ...(q.states ? { states: q.states } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(p.role === 'agency' ? { agencyId: p.grants.agency as string } : q.agency ? { agencyId: q.agency } : {}),
      ...(q.dueBefore ? { dueBefore: q.dueBefore } : {}),
      ...(q.dueAfter ? { dueAfter: q.dueAfter } : {}),
      ...(q.overdue ? { overdueAt: desk.now().toISOString() } : {}),
      ...(q.sort ? { sort: q.sort } : {}),
      from: q.from,
      size: q.size,
    });
    res.json({ total, requests: requests.map((x) => desk.summary(x, p)) });
  });

  r.get('/v1/legal/requests/:requestId', guard(deps, 'GET /v1/legal/requests/:requestId'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view((await desk.load(p, requestIdOf(req))).record, p) });
  });

  r.get('/v1/legal/requests/:requestId/documents/:documentId', guard(deps, 'GET /v1/legal/requests/:requestId/documents/:documentId'), async (req, res) => {
    const p = principalOf(req);
    const doc = await desk.document(p, requestIdOf(req), String(req.params['documentId']));
    res.set('Content-Type', 'application/pdf');
    res.set('Content-Disposition', `attachment; filename="${doc.id}.pdf"`);
    res.set('X-Content-SHA256', doc.sha256);
    res.set('X-Content-Type-Options', 'nosniff');
    res.send(doc.data);
  });

  const note = (req: Request) => validateNoteBody(body(req)).note;

  r.post('/v1/legal/requests/:requestId/start-review', guard(deps, 'POST /v1/legal/requests/:requestId/start-review'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.startReview(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/request-info', guard(deps, 'POST /v1/legal/requests/:requestId/request-info'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.requestInfo(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/info-received', guard(deps, 'POST /v1/legal/requests/:requestId/info-received'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.infoReceived(p, requestIdOf(req), validateInfoReceivedBody(body(req))), p) });
  });

  r.post('/v1/legal/requests/:requestId/targets/:index/decision', guard(deps, 'POST /v1/legal/requests/:requestId/targets/:index/decision'), async (req, res) => {
    const p = principalOf(req);
    const index = String(req.params['index']);
    if (!/^(0|[1-9][0-9]?)$/.test(index)) throw new ValidationError('path: :index must be a target index (0–49)', 'index');
    res.json({ request: desk.view(await desk.decideTarget(p, requestIdOf(req), Number(index), validateTargetDecisionBody(body(req))), p) });
  });

  r.post('/v1/legal/requests/:requestId/approve', guard(deps, 'POST /v1/legal/requests/:requestId/approve'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.approve(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/emergency-disclose', guard(deps, 'POST /v1/legal/requests/:requestId/emergency-disclose'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.emergencyDisclose(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/reject', guard(deps, 'POST /v1/legal/requests/:requestId/reject'), async (req, res) => {
    const p = principalOf(req);
    const b = validateRejectBody(body(req));
    res.json({ request: desk.view(await desk.reject(p, requestIdOf(req), { kind: 'reject', reason: b.reason }, b.note), p) });
  });

  r.post('/v1/legal/requests/:requestId/withdraw', guard(deps, 'POST /v1/legal/requests/:requestId/withdraw'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.withdraw(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/follow-up', guard(deps, 'POST /v1/legal/requests/:requestId/follow-up'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.followUp(p, requestIdOf(req), validateFollowUpBody(body(req))), p) });
  });

  r.post('/v1/legal/requests/:requestId/emergency-over', guard(deps, 'POST /v1/legal/requests/:requestId/emergency-over'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.emergencyOver(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/preservation/extend', guard(deps, 'POST /v1/legal/requests/:requestId/preservation/extend'), async (req, res) => {
    const p = principalOf(req);
    res.json({ request: desk.view(await desk.extendPreservation(p, requestIdOf(req), note(req)), p) });
  });

  r.post('/v1/legal/requests/:requestId/delivered', guard(deps, 'POST /v1/legal/requests/:requestId/delivered'), async (req, res) => {
    const p = principalOf(req);
    const b = validateDeliveredBody(body(req));
    res.json({ request: desk.view(await desk.markDelivered(p, requestIdOf(req), b.channel, b.note), p) });
  });

  r.get('/v1/legal/requests/:requestId/package', guard(deps, 'GET /v1/legal/requests/:requestId/package'), async (req, res) => {
    const p = principalOf(req);
    const pkg = await desk.downloadPackage(p, requestIdOf(req));
    res.set('Content-Type', pkg.contentType);
    res.set('Content-Disposition', `attachment; filename="${pkg.filename}"`);
    res.set('X-Manifest-SHA256', pkg.manifestSha256);
    res.set('Cache-Control', 'no-store');
    res.send(pkg.data);
  });

  // ---- user notices (the platform's notifier, with a legal-role service person's token)

  r.get('/v1/legal/notices', guard(deps, 'GET /v1/legal/notices'), async (req, res) => {
    const q = validateNoticeQuery(req.query);
    res.json({ notices: await desk.notices(q.state ?? 'due') });
  });

  r.post('/v1/legal/notices/:noticeId/delivered', guard(deps, 'POST /v1/legal/notices/:noticeId/delivered'), async (req, res) => {
    const noticeId = String(req.params['noticeId']);
    const m = NOTICE_ID_PATTERN.exec(noticeId);
    if (!m) throw new NotFoundError(`no notice ${noticeId.slice(0, 40)}`, 'not_found', 'noticeId');
    res.json({ notice: await desk.noticeDelivered(principalOf(req), m[1] as string, noticeId) });
  });

  // ---- transparency (public)

  // Public: agencies (and anyone) verify packages offline against this key.
  r.get('/v1/legal/public-key', guard(deps, 'GET /v1/legal/public-key'), (_req, res) => {
    const { pem, keyId } = desk.publicKey();
    res.set('X-Key-Id', keyId).type('application/x-pem-file').send(pem);
  });

  r.get('/v1/transparency/legal', guard(deps, 'GET /v1/transparency/legal'), async (req, res) => {
    const q = validateTransparencyQuery(req.query);
    const report = await desk.transparency(q.period);
    res.set('Cache-Control', 'public, max-age=300');
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="takedown-legal-transparency-${q.period}.csv"`);
      res.send(transparencyCsv(report));
      return;
    }
    res.json(report);
  });

  return r;
}
