import { randomBytes } from 'node:crypto';
import {
  ConflictError,
  EMERGENCY_FOLLOW_UP_HOURS,
  NotFoundError,
  PRESERVATION_DAYS,
  UnavailableError,
  ValidationError,
  actorOf,
  aggregateTransparency,
  appendLegalAudit,
  availableEvents,
  keyIdOf,
  publicKeyPem,
  checkPolicy,
  decryptPackage,
  lookUpTargets,
  followUpOverdue,
  isBlocking,
  parseQuarter,
  policyOutcome,
  releaseNotices,
  sha256Hex,
  storeFailure,
  targetRef,
  transition,
  workflowViewOf,
  type AgencyRecord,
  type CatalogQueue,
  type LegalActor,
  type LegalDocumentRef,
  type LegalEvent,
  type LegalHistoryEntry,
  type LegalNotice,
  type LegalPolicyConfig,
  type LegalProblem,
  type LegalProcess,
  type LegalRequestRecord,
  type LegalStore,
  type LegalTarget,
  type Logger,
  type ModerationKeys,
  type Principal,
  type RedisClient,
  type LegalKeys,
  type SubscriberSource,
  type TargetLookup,
  type TargetWithholdReason,
  type TransitionResult,
  type TransparencyReport,
  type Versioned,
} from '@takedown/shared';
import { decodePdf, type InfoReceivedBody, type IntakeBody, type LegalProcessBody } from '../http/legal-schemas';

export interface LegalDeskDeps {
  store: LegalStore;
  redis: RedisClient;
  keys: Pick<ModerationKeys, 'audit'>;
  logger: Logger;
  policy: LegalPolicyConfig;
  packages: CatalogQueue<'legal-package'>;
  preservations: CatalogQueue<'legal-preserve'>;
  /**
   * The platform's subscriber data: which accounts targets name, their
   * phone numbers' countries, the sign-ins held. Without it targets are not
   * checked and the period is not clamped (and nothing can be produced).
   */
  subscribers?: SubscriberSource;
  /** The package keys: stored packages are decrypted with them for download. */
  packageKeys?: LegalKeys;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Transparency: the most requests one quarter's report reads. */
export const TRANSPARENCY_READ_LIMIT = 100_000;

/** The fields the transparency aggregation reads. */
const TRANSPARENCY_SOURCE = ['id', 'type', 'state', 'nonDisclosureUntil', 'times', 'targets.resolution.resolved', 'targets.resolution.accounts', 'targets.decision.produce'];

export function legalActorOf(p: Principal): LegalActor {
  if (p.role === 'agency') return { kind: 'agency', id: actorOf(p), formerIds: p.formerActors };
  return { kind: 'legal', id: actorOf(p), formerIds: p.formerActors, ...(p.grants.emergency ? { emergency: true } : {}) };
}

/** A request id: the day it was received and 40 random bits (`lr-20261130-0a1b2c3d4e`). */
export function newRequestId(now: Date): string {
  return `lr-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;
}

/**
 * The legal desk: intake, the workflow events (every state change through
 * `transition`, stored with a compare-and-set), per-target decisions,
 * follow-ups, notices and the transparency report.
 */
export class LegalDesk {
  /** The desk's clock (tests move it to see a follow-up fall overdue). */
  now: () => Date = () => new Date();

  constructor(readonly deps: LegalDeskDeps) {}

  // ---- agencies

  async registerAgency(body: Omit<AgencyRecord, 'createdAt' | 'createdBy'>, p: Principal): Promise<AgencyRecord> {
    const at = this.now().toISOString();
    const agency = await this.deps.store.createAgency({ ...body, createdAt: at, createdBy: actorOf(p) });
    await this.audit('legal.agency.registered', actorOf(p), at, { agencyId: agency.id, country: agency.country, function: agency.function });
    return agency;
  }

  // ---- intake

  async intake(body: IntakeBody, p: Principal): Promise<LegalRequestRecord> {
    const now = this.now();
    const at = now.toISOString();
    const by = actorOf(p);
    let agencyId: string;
    if (p.role === 'agency') {
      if (body.agencyId !== undefined) throw new ValidationError('legal request: /agencyId comes from your token; leave it out', '/agencyId');
      agencyId = p.grants.agency as string;
    } else {
      if (body.agencyId === undefined) throw new ValidationError('legal request: /agencyId (the registered agency the order comes from) is required', '/agencyId');
      agencyId = body.agencyId;
    }
    const agency = await this.deps.store.getAgency(agencyId);
    if (!agency) throw new ValidationError('legal request: /agencyId names no registered agency', '/agencyId', 'unknown_agency');

    const id = newRequestId(now);
    const pdf = body.legalProcess.document ? decodePdf(body.legalProcess.document, '/legalProcess/document') : undefined;
    const targets: LegalTarget[] = body.targets.map((t, index) => ({ index, kind: t.kind, value: t.value, valueSha256: sha256Hex(t.value), role: t.role }));
    const { resolutions, dataHeld } = await this.lookUp(targets, now);
    resolutions?.forEach((r, i) => {
      if (r) (targets[i] as LegalTarget).resolution = r;
    });
    const { problems, effectivePeriod } = checkPolicy(
      { type: body.type, agencyCountry: agency.country, legalProcess: body.legalProcess, statesSuspect: body.statesSuspect, targets, dataRequested: body.dataRequested, period: body.period },
      this.deps.policy,
      { ...(resolutions ? { resolutions } : {}), ...(dataHeld !== undefined ? { dataHeld } : {}) },
    );

    const document = pdf ? await this.storeDocument(id, pdf, by, at) : undefined;
    let record: LegalRequestRecord = {
      id,
      type: body.type,
      state: 'received',
      agency: { id: agency.id, name: agency.name, country: agency.country, function: agency.function },
      requester: body.requester,
      enteredBy: by,
      enteredVia: p.role === 'agency' ? 'agency' : 'legal',
      legalProcess: this.process(body.legalProcess, document),
      legalBasis: body.legalBasis,
      offenceCategory: body.offenceCategory,
      statesSuspect: body.statesSuspect,
      targets,
      dataRequested: body.dataRequested,
      period: body.period,
      effectivePeriod,
      nonDisclosureUntil: body.nonDisclosureUntil,
      dueAt: body.dueAt,
      ...(body.emergency ? { emergency: { description: body.emergency.description } } : {}),
      problems,
      approvals: [],
      times: { receivedAt: at },
      notices: [],
      history: [{ event: 'received', by, at, to: 'received' }],
      updatedAt: at,
    };
    // Acknowledged on receipt: the one write below is what makes it durable, and the 201 is only sent after it.
    record = this.apply(record, { kind: 'acknowledge' }, SYSTEM, at);
    record.times.acknowledgedAt = at;
    record = this.applyPolicyOutcome(record, at);
    await this.deps.store.create(record);

    const refs = targets.map(targetRef);
    await this.audit('legal.request.received', by, at, {
      requestId: id,
      type: record.type,
      agencyId: agency.id,
      enteredVia: record.enteredVia,
      targets: refs,
      dataRequested: record.dataRequested,
      ...(document ? { documentSha256: document.sha256 } : {}),
      problems: problems.map((x) => ({ field: x.field, code: x.code, outcome: x.outcome })),
    });
    await this.audit('legal.request.acknowledged', 'system', at, { requestId: id });
    await this.auditOutcome(record, at);
    return record;
  }

  // ---- reading

  /** The request, or 404 for an agency asking about another agency's request (never 403: its existence is not theirs to know). */
  async load(p: Principal, id: string): Promise<Versioned<LegalRequestRecord>> {
    const v = await this.deps.store.get(id);
    if (!v || (p.role === 'agency' && v.record.agency.id !== p.grants.agency)) throw new NotFoundError(`no legal request ${id}`, 'not_found', 'requestId');
    return v;
  }

  /** A request as the caller may see it: officers see it all; an agency sees its request without officers' identities, notes or notices. */
  view(r: LegalRequestRecord, p: Principal): Record<string, unknown> {
    const now = this.now();
    const actor = legalActorOf(p);
    const followUp = r.emergency?.followUpDueAt
      ? { dueAt: r.emergency.followUpDueAt, state: r.emergency.followUp ? 'received' : followUpOverdue(r, now) ? 'overdue' : 'owed' }
      : undefined;
    const derived = {
      overdue: followUpOverdue(r, now),
      ...(followUp ? { followUp } : {}),
      availableEvents: availableEvents(workflowViewOf(r), actor),
      blockingProblems: r.problems.filter(isBlocking).length,
    };
    if (p.role !== 'agency') return { ...r, ...derived };
    const { notices: _n, approvals, history, rejection, targets, emergency, ...rest } = r;
    return {
      ...rest,
      ...derived,
      approvals: approvals.length,
      targets: targets.map(({ decision, resolution: _r, ...t }) => ({ ...t, ...(decision ? { decision: { produce: decision.produce, ...(decision.reason ? { reason: decision.reason } : {}) } } : {}) })),
      ...(rejection ? { rejection: { reason: rejection.reason, at: rejection.at } } : {}),
      ...(emergency ? { emergency: { description: emergency.description, disclosedAt: emergency.disclosedAt, followUpDueAt: emergency.followUpDueAt, followUp: emergency.followUp, overAt: emergency.overAt } } : {}),
      history: history.map((h) => ({ event: h.event, at: h.at, ...(h.to ? { to: h.to } : {}) })),
    };
  }

  /** A listing row: no target values, no documents, no notes. */
  summary(r: Partial<LegalRequestRecord>, p: Principal): Record<string, unknown> {
    const now = this.now();
    const problems = r.problems ?? [];
    return {
      id: r.id,
      type: r.type,
      state: r.state,
      agency: r.agency,
      dueAt: r.dueAt,
      receivedAt: r.times?.receivedAt,
      acknowledgedAt: r.times?.acknowledgedAt,
      enteredVia: r.enteredVia,
      offenceCategory: r.offenceCategory,
      legalProcess: r.legalProcess ? { kind: r.legalProcess.kind, reference: r.legalProcess.reference } : undefined,
      targets: r.targets?.length ?? 0,
      blockingProblems: problems.filter(isBlocking).length,
      approvals: r.approvals?.length ?? 0,
      gagOrder: Boolean(r.nonDisclosureUntil),
      overdue: followUpOverdue({ emergency: r.emergency as LegalRequestRecord['emergency'] }, now),
      ...(r.emergency?.followUpDueAt ? { followUpDueAt: r.emergency.followUpDueAt } : {}),
      ...(r.package ? { package: { builtAt: r.package.builtAt, expiresAt: r.package.expiresAt, deleted: Boolean(r.package.deletedAt) } } : {}),
      ...(r.preservation ? { preservationExpiresAt: r.preservation.expiresAt } : {}),
      ...(p.role !== 'agency' ? { enteredBy: r.enteredBy, noticesDue: (r.notices ?? []).filter((n) => n.state === 'due').length } : {}),
    };
  }

  /** A legal process document of the request (its order, or an emergency's follow-up). */
  async document(p: Principal, requestId: string, documentId: string): Promise<{ id: string; sha256: string; data: Buffer }> {
    const { record } = await this.load(p, requestId);
    const ids = [record.legalProcess.document?.id, record.emergency?.followUp?.legalProcess.document?.id].filter(Boolean);
    const doc = ids.includes(documentId) ? await this.deps.store.getDocument(documentId) : undefined;
    if (!doc) throw new NotFoundError(`the request has no document ${documentId.slice(0, 60)}`, 'not_found', 'documentId');
    return { id: documentId, sha256: doc.sha256, data: doc.data };
  }

  // ---- workflow events

  async startReview(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    return this.event(p, id, { kind: 'start_review' }, note);
  }

  async requestInfo(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    return this.event(p, id, { kind: 'request_info' }, note);
  }

  async reject(p: Principal, id: string, reason: LegalEvent & { kind: 'reject' }, note?: string): Promise<LegalRequestRecord> {
    return this.event(p, id, reason, note, (r, at) => ({ ...r, rejection: { reason: reason.reason, ...(note ? { note } : {}), by: actorOf(p), at } }));
  }

  async withdraw(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    return this.event(p, id, { kind: 'withdraw' }, note, (r, at) => ({
      ...r,
      withdrawal: { ...(note ? { note } : {}), by: actorOf(p), at },
      // A withdrawn preservation is not kept: the worker deletes the copies at its next sweep.
      ...(r.preservation && !r.preservation.deletedAt ? { preservation: { ...r.preservation, expiresAt: at } } : {}),
    }));
  }

  /** Marks a produced package delivered through another channel (an officer sent it); an agency's first download does this itself. */
  async markDelivered(p: Principal, id: string, channel: string, note?: string): Promise<LegalRequestRecord> {
    return this.event(p, id, { kind: 'delivered' }, note ? `${channel}: ${note}` : channel);
  }

  /** The agency (or the officer, on its behalf) sends what was asked for; the policy check runs again on the amended request. */
  async infoReceived(p: Principal, id: string, body: InfoReceivedBody): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const at = this.now().toISOString();
    const by = actorOf(p);
    let r = this.apply(current.record, { kind: 'info_received' }, legalActorOf(p), at, body.note);
    if (body.amend) {
      const a = body.amend;
      let legalProcess = r.legalProcess;
      if (a.legalProcess) {
        const pdf = decodePdf(a.legalProcess.document as NonNullable<LegalProcessBody['document']>, '/amend/legalProcess/document');
        legalProcess = this.process(a.legalProcess, await this.storeDocument(id, pdf, by, at));
      }
      r = { ...r, legalProcess, ...(a.statesSuspect !== undefined ? { statesSuspect: a.statesSuspect } : {}), ...(a.legalBasis ? { legalBasis: a.legalBasis } : {}) };
    }
    r = this.recheck(r, at);
    const saved = (await this.deps.store.replace(current, r)).record;
    await this.audit('legal.request.info_received', by, at, {
      requestId: id,
      from: current.record.state,
      to: 'in_review',
      amended: Object.keys(body.amend ?? {}),
      ...(body.amend?.legalProcess ? { documentSha256: saved.legalProcess.document?.sha256 } : {}),
    });
    await this.auditOutcome(saved, at, 'in_review');
    return saved;
  }

  async decideTarget(p: Principal, id: string, index: number, body: { produce: boolean; reason?: TargetWithholdReason; note?: string }): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const r = current.record;
    const target = r.targets[index];
    if (!target) throw new NotFoundError(`the request has no target ${index}`, 'not_found', 'targetIndex');
    if (!['acknowledged', 'in_review', 'needs_info'].includes(r.state)) {
      throw new ConflictError(`targets are decided before approval; this request is ${r.state}`, 'invalid_transition', 'state');
    }
    if (body.produce && r.type === 'records' && target.role !== 'suspect') {
      throw new ConflictError(`target ${index} is named as ${target.role}: a records request discloses suspects' data only`, 'not_a_suspect', `/targets/${index}/role`);
    }
    if (body.produce && target.resolution && !target.resolution.resolved) {
      throw new ConflictError(`target ${index} names no account the platform holds`, 'target_unresolved', `/targets/${index}/value`);
    }
    const at = this.now().toISOString();
    const by = actorOf(p);
    const targets = r.targets.map((t) => (t.index === index ? { ...t, decision: { produce: body.produce, ...(body.reason ? { reason: body.reason } : {}), ...(body.note ? { note: body.note } : {}), by, at } } : t));
    const history: LegalHistoryEntry[] = [...r.history, { event: body.produce ? 'target_produce' : 'target_withhold', by, at, note: `target ${index}${body.reason ? `: ${body.reason}` : ''}` }];
    // An approval covers the decisions it saw: a change takes back the approvals given so far.
    const withdrawn = r.approvals.length > 0;
    if (withdrawn) history.push({ event: 'approvals_withdrawn', by, at, note: `${r.approvals.length} approval(s) given before target ${index} changed` });
    const next: LegalRequestRecord = { ...r, targets, approvals: [], history, updatedAt: at };
    const saved = (await this.deps.store.replace(current, next)).record;
    await this.audit('legal.target.decided', by, at, { requestId: id, target: targetRef(target), produce: body.produce, ...(body.reason ? { reason: body.reason } : {}), approvalsWithdrawn: withdrawn ? r.approvals.length : 0 });
    return saved;
  }

  /** One of the two approvals; the second moves the request to approved and starts building the package (or preserving). */
  async approve(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    return this.disclosure(p, id, { kind: 'approve' }, note);
  }

  /** An officer holding the emergency grant discloses an emergency request at once; the follow-up legal process is owed within 72 h. */
  async emergencyDisclose(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    return this.disclosure(p, id, { kind: 'emergency_disclose' }, note);
  }

  private async disclosure(p: Principal, id: string, event: { kind: 'approve' | 'emergency_disclose' }, note?: string): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const r = current.record;
    const blocking = r.problems.filter(isBlocking);
    if (blocking.length > 0) {
      const err = new ConflictError(`the request has ${blocking.length} open problem(s); ask for information or reject it`, 'problems_open', blocking[0]?.field);
      err.details = { problems: blocking };
      throw err;
    }
    const undecided = r.targets.find((t) => !t.decision);
    if (undecided) {
      throw new ConflictError(`decide every target first: produce it or say why not (target ${undecided.index} is undecided)`, 'targets_undecided', `/targets/${undecided.index}/decision`);
    }
    if (!r.targets.some((t) => t.decision?.produce)) {
      throw new ConflictError('no target is to be produced: reject the request instead', 'nothing_to_produce', '/targets');
    }
    const at = this.now().toISOString();
    const result = transition(workflowViewOf(r), event, legalActorOf(p), at);
    let next = this.applied(r, event.kind, result, actorOf(p), at, note);
    if (result.state === 'approved') next.times = { ...next.times, approvedAt: at };
    if (result.effects.includes('start_emergency_clock')) {
      next = { ...next, emergency: { ...(next.emergency as NonNullable<LegalRequestRecord['emergency']>), disclosedAt: at, disclosedBy: actorOf(p), followUpDueAt: new Date(Date.parse(at) + EMERGENCY_FOLLOW_UP_HOURS * HOUR).toISOString() } };
    }
    const saved = (await this.deps.store.replace(current, next)).record;
    await this.audit(event.kind === 'approve' ? 'legal.request.approved' : 'legal.request.emergency_disclosed', actorOf(p), at, {
      requestId: id,
      from: r.state,
      to: saved.state,
      approvals: saved.approvals.length,
      produce: saved.targets.filter((t) => t.decision?.produce).map((t) => t.index),
      effects: result.effects,
    });
    await this.runEffects(saved, result.effects);
    return saved;
  }

  /** Effects after the change is durable. A lost enqueue is found again by the legal worker's sweeper. */
  private async runEffects(r: LegalRequestRecord, effects: readonly string[]): Promise<void> {
    try {
      if (effects.includes('build_package')) await this.deps.packages.add({ requestId: r.id }, { jobId: r.id });
      if (effects.includes('preserve')) await this.deps.preservations.add({ requestId: r.id }, { jobId: r.id });
    } catch (err) {
      this.deps.logger.warn({ requestId: r.id, effects, err: (err as Error).message }, 'legal job not enqueued; the sweeper will enqueue it');
    }
  }

  /** Attaches the legal process an emergency disclosure owed. */
  async followUp(p: Principal, id: string, body: { legalProcess: LegalProcessBody; note?: string }): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const r = current.record;
    if (r.type !== 'emergency' || !r.emergency?.disclosedAt) throw new ConflictError('only a disclosed emergency request owes a follow-up legal process', 'no_follow_up_owed', 'type');
    if (r.emergency.followUp) throw new ConflictError('the follow-up legal process is attached already', 'follow_up_attached', '/legalProcess');
    const at = this.now().toISOString();
    const by = actorOf(p);
    const pdf = decodePdf(body.legalProcess.document as NonNullable<LegalProcessBody['document']>, '/legalProcess/document');
    const legalProcess = this.process(body.legalProcess, await this.storeDocument(id, pdf, by, at));
    const next: LegalRequestRecord = {
      ...r,
      emergency: { ...r.emergency, followUp: { legalProcess, attachedAt: at, attachedBy: by } },
      history: [...r.history, { event: 'follow_up_attached', by, at, ...(body.note ? { note: body.note } : {}) }],
      updatedAt: at,
    };
    const saved = (await this.deps.store.replace(current, next)).record;
    await this.audit('legal.request.follow_up_attached', by, at, { requestId: id, kind: legalProcess.kind, documentSha256: legalProcess.document?.sha256, late: Date.parse(at) > Date.parse(r.emergency.followUpDueAt as string) });
    return saved;
  }

  /** Legal marks an emergency over: the users' notices it held may go out (unless a gag order still holds them). */
  async emergencyOver(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const r = current.record;
    if (r.type !== 'emergency') throw new ConflictError('only an emergency request can be marked over', 'not_emergency', 'type');
    if (r.emergency?.overAt) throw new ConflictError('the emergency is marked over already', 'emergency_over', 'state');
    const now = this.now();
    const at = now.toISOString();
    const by = actorOf(p);
    let next: LegalRequestRecord = {
      ...r,
      emergency: { ...(r.emergency as NonNullable<LegalRequestRecord['emergency']>), overAt: at, overBy: by },
      history: [...r.history, { event: 'emergency_over', by, at, ...(note ? { note } : {}) }],
      updatedAt: at,
    };
    const released = releaseNotices(next, now);
    if (released) next = { ...next, notices: released };
    const saved = (await this.deps.store.replace(current, next)).record;
    await this.audit('legal.request.emergency_over', by, at, { requestId: id, noticesDue: saved.notices.filter((n) => n.state === 'due').length });
    return saved;
  }

  /** A preservation is kept 90 days and may be extended once, for 90 more. */
  async extendPreservation(p: Principal, id: string, note?: string): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const r = current.record;
    const pres = r.preservation;
    if (r.type !== 'preservation' || !pres) throw new ConflictError('nothing is preserved for this request (yet)', 'not_preserved', 'state');
    if (pres.deletedAt || Date.parse(pres.expiresAt) <= this.now().getTime()) throw new ConflictError('the preservation has expired', 'preservation_expired', 'state');
    if (pres.extendedAt) throw new ConflictError('a preservation is extended once only', 'already_extended', 'state');
    const at = this.now().toISOString();
    const by = actorOf(p);
    const expiresAt = new Date(Date.parse(pres.expiresAt) + PRESERVATION_DAYS * DAY).toISOString();
    const next: LegalRequestRecord = {
      ...r,
      preservation: { ...pres, expiresAt, extendedAt: at, extendedBy: by },
      history: [...r.history, { event: 'preservation_extended', by, at, ...(note ? { note } : {}) }],
      updatedAt: at,
    };
    const saved = (await this.deps.store.replace(current, next)).record;
    await this.audit('legal.preservation.extended', by, at, { requestId: id, expiresAt });
    return saved;
  }

  // ---- packages

  /** The public half of the package signing key, what an agency verifies packages with (`takedown legal verify --public-key`). */
  publicKey(): { pem: string; keyId: string } {
    const keys = this.deps.packageKeys;
    if (!keys) throw new UnavailableError('no package signing key is configured here', 'packages_unavailable');
    return { pem: publicKeyPem(keys.signingKey), keyId: keyIdOf(keys.signingKey) };
  }

  /**
   * The signed package, decrypted from storage, for an officer or the
   * requesting agency. Every download is audited; the agency's first one
   * moves the request to delivered.
   */
  async downloadPackage(p: Principal, id: string): Promise<{ data: Buffer; contentType: string; filename: string; manifestSha256: string }> {
    const { record } = await this.load(p, id);
    if (!record.package) throw new ConflictError(`no package has been produced for this request (it is ${record.state})`, 'package_not_ready', 'state');
    if (record.package.deletedAt) throw new NotFoundError(`the package was deleted on ${record.package.deletedAt} (kept ${record.package.expiresAt ? 'until its expiry' : 'for the retention period'})`, 'package_deleted', 'package');
    const keys = this.deps.packageKeys;
    if (!keys) throw new UnavailableError('packages cannot be read here: no package key is configured', 'packages_unavailable');
    const stored = await this.deps.store.getPackage(id);
    if (!stored) throw new NotFoundError('the package is gone from storage', 'package_deleted', 'package');
    // Sealed with the package id (the request id) as associated data: a blob filed under another id does not open.
    const pkg = { data: decryptPackage(stored.data, keys.encryptionKey, record.package.id), contentType: 'application/json', filename: `${id}.takedown-package.json`, manifestSha256: stored.manifestSha256 };
    const at = this.now().toISOString();
    const by = actorOf(p);
    const agencyFirst = p.role === 'agency' && record.state === 'package_produced';
    await this.deps.store.mutate(id, (r) => {
      if (!r.package) return undefined;
      let next: LegalRequestRecord = { ...r, package: { ...r.package, downloads: r.package.downloads + 1 }, history: [...r.history, { event: 'package_downloaded', by, at, note: p.role }], updatedAt: at };
      if (p.role === 'agency' && r.state === 'package_produced') next = this.apply(next, { kind: 'delivered' }, SYSTEM, at, `first download by the agency (${by})`);
      return next;
    });
    await this.audit('legal.package.downloaded', by, at, { requestId: id, manifestSha256: pkg.manifestSha256, role: p.role, channel: 'api', bytes: pkg.data.length });
    if (agencyFirst) await this.audit('legal.request.delivered', 'system', at, { requestId: id, from: 'package_produced', to: 'delivered', by });
    return pkg;
  }

  // ---- notices

  async notices(state: LegalNotice['state']): Promise<(LegalNotice & { requestId: string })[]> {
    const { records } = await this.deps.store.scan({ term: { 'notices.state': state } }, { source: ['id', 'notices'], limit: 10_000 });
    return records.flatMap((r) => r.notices.filter((n) => n.state === state).map((n) => ({ ...n, requestId: r.id })));
  }

  async noticeDelivered(p: Principal, requestId: string, noticeId: string): Promise<LegalNotice> {
    const current = await this.load(p, requestId);
    const r = current.record;
    const notice = r.notices.find((n) => n.id === noticeId);
    if (!notice) throw new NotFoundError(`no notice ${noticeId}`, 'not_found', 'noticeId');
    if (notice.state !== 'due') throw new ConflictError(`notice ${noticeId} is ${notice.state}, not due`, 'notice_not_due', 'noticeId');
    const at = this.now().toISOString();
    const by = actorOf(p);
    const delivered: LegalNotice = { ...notice, state: 'delivered', deliveredAt: at, deliveredBy: by };
    const next: LegalRequestRecord = {
      ...r,
      notices: r.notices.map((n) => (n.id === noticeId ? delivered : n)),
      history: [...r.history, { event: 'notice_delivered', by, at, note: `target ${notice.targetIndex}` }],
      updatedAt: at,
    };
    await this.deps.store.replace(current, next);
    await this.audit('legal.notice.delivered', by, at, { requestId, noticeId, targetIndex: notice.targetIndex });
    return delivered;
  }

  // ---- transparency

  async transparency(period: string): Promise<TransparencyReport> {
    const { from, to } = parseQuarter(period);
    const { records, more } = await this.deps.store.scan(
      { range: { 'times.receivedAt': { gte: from.toISOString(), lt: to.toISOString() } } },
      { source: TRANSPARENCY_SOURCE, limit: TRANSPARENCY_READ_LIMIT, page: 1000 },
    );
    if (more) throw new UnavailableError(`more than ${TRANSPARENCY_READ_LIMIT} requests in ${period}: the report is not computed from part of them`, 'too_many_requests');
    return aggregateTransparency(records, period);
  }

  // ---- helpers

  private async event(p: Principal, id: string, event: LegalEvent, note?: string, extra?: (r: LegalRequestRecord, at: string) => LegalRequestRecord): Promise<LegalRequestRecord> {
    const current = await this.load(p, id);
    const at = this.now().toISOString();
    let next = this.apply(current.record, event, legalActorOf(p), at, note);
    if (extra) next = extra(next, at);
    const saved = (await this.deps.store.replace(current, next)).record;
    await this.audit(`legal.request.${event.kind}`, actorOf(p), at, { requestId: id, from: current.record.state, to: saved.state, ...(event.kind === 'reject' ? { reason: event.reason } : {}) });
    return saved;
  }

  /** One event through the state machine, recorded in the request's history. */
  private apply(r: LegalRequestRecord, event: LegalEvent, actor: LegalActor, at: string, note?: string): LegalRequestRecord {
    return this.applied(r, event.kind, transition(workflowViewOf(r), event, actor, at), actor.id, at, note);
  }

  private applied(r: LegalRequestRecord, kind: string, result: TransitionResult, by: string, at: string, note?: string): LegalRequestRecord {
    const times = { ...r.times };
    if (result.state === 'rejected') times.rejectedAt = at;
    if (result.state === 'withdrawn') times.withdrawnAt = at;
    if (result.state === 'delivered') times.deliveredAt = at;
    return {
      ...r,
      state: result.state,
      approvals: result.approvals,
      times,
      history: [...r.history, { event: kind, by, at, from: r.state, to: result.state, ...(note ? { note } : {}) }],
      updatedAt: at,
    };
  }

  /** The policy check's outcome, sent by Takedown itself: a rejection with the problem's reason, or a request for information. */
  private applyPolicyOutcome(r: LegalRequestRecord, at: string): LegalRequestRecord {
    const outcome = policyOutcome(r.problems);
    if (!outcome) return r;
    if (outcome.kind === 'reject') {
      const reason = outcome.problem.reason ?? 'other';
      const next = this.apply(r, { kind: 'reject', reason }, SYSTEM, at, `policy: ${outcome.problem.code} (${outcome.problem.field})`);
      return { ...next, rejection: { reason, note: outcome.problem.message, by: 'system', at } };
    }
    return this.apply(r, { kind: 'request_info' }, SYSTEM, at, `policy: ${r.problems.filter((x) => x.outcome === 'needs_info').map((x) => `${x.code} (${x.field})`).join(', ')}`);
  }

  /** The policy check again, on an amended request (its targets' resolutions as found at intake). */
  private recheck(r: LegalRequestRecord, at: string): LegalRequestRecord {
    const hasResolutions = r.targets.some((t) => t.resolution);
    const { problems }: { problems: LegalProblem[] } = checkPolicy(
      { type: r.type, agencyCountry: r.agency.country, legalProcess: r.legalProcess, statesSuspect: r.statesSuspect, targets: r.targets, dataRequested: r.dataRequested, period: r.period },
      this.deps.policy,
      hasResolutions ? { resolutions: r.targets.map((t) => t.resolution) } : {},
    );
    // What the source answered at intake stands (target notes, the period clamped to the data held then).
    const clamped = r.problems.filter((x) => ['period_clamped', 'no_data_held', 'target_invalid', 'target_names_several_accounts'].includes(x.code) || (x.code === 'target_unresolved' && !hasResolutions));
    return this.applyPolicyOutcome({ ...r, problems: [...problems, ...clamped] }, at);
  }

  private async auditOutcome(r: LegalRequestRecord, at: string, after: string = 'acknowledged'): Promise<void> {
    if (r.state === after) return;
    if (r.state === 'rejected') await this.audit('legal.request.reject', 'system', at, { requestId: r.id, reason: r.rejection?.reason, policy: true });
    if (r.state === 'needs_info') await this.audit('legal.request.request_info', 'system', at, { requestId: r.id, policy: true, problems: r.problems.filter(isBlocking).map((x) => x.code) });
  }

  private async lookUp(targets: readonly LegalTarget[], now: Date): Promise<{ resolutions?: TargetLookup[]; dataHeld?: { from: string; to: string } | null }> {
    const source = this.deps.subscribers;
    if (!source) return {};
    try {
      const { lookups, dataHeld } = await lookUpTargets(source, targets.map((t) => ({ kind: t.kind, value: t.value })), now);
      return { resolutions: lookups, dataHeld };
    } catch (err) {
      // The source's errors may quote the query (target values): only the operation goes on.
      throw storeFailure('resolve targets', err);
    }
  }

  private process(body: LegalProcessBody, document: LegalDocumentRef | undefined): LegalProcess {
    return { kind: body.kind, reference: body.reference, issuedBy: body.issuedBy, issuedAt: body.issuedAt, ...(document ? { document } : {}) };
  }

  private async storeDocument(requestId: string, pdf: Buffer, by: string, at: string): Promise<LegalDocumentRef> {
    const sha256 = sha256Hex(pdf);
    const id = `${requestId}.${sha256.slice(0, 16)}`;
    await this.deps.store.putDocument(id, { requestId, sha256, bytes: pdf.length, contentType: 'application/pdf', data: pdf, uploadedAt: at, uploadedBy: by });
    return { id, sha256, bytes: pdf.length, uploadedAt: at, uploadedBy: by };
  }

  private async audit(type: string, actor: string, at: string, data: Record<string, unknown>): Promise<void> {
    await appendLegalAudit(this.deps, { type, actor, at, data });
  }
}

const SYSTEM: LegalActor = { kind: 'system', id: 'system' };
