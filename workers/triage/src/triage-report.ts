import {
  actionJobFor,
  caseIdFor,
  casePriority,
  csamSignalOf,
  laneScore,
  mostSevere,
  newId,
  routeLane,
  type CaseContent,
  type CaseRecord,
  type CaseRuleHit,
  type CaseStore,
  type CatalogQueue,
  type DecisionAction,
  type DecisionRecord,
  type ElasticsearchClient,
  type LiveRuleset,
  SYSTEM_FILER,
  defaultGround,
  groundKindOf,
  type PlatformContent,
  type ReportJob,
  type ReporterType,
  recordDecisionNotices,
  recordNotice,
} from '@takedown/shared';
import { scanContent, type CompiledRuleset } from '@takedown/search-rules';
import type { FoldBatcher } from './fold-batcher';
import type { NoticeWriter } from './notice-writer';
import type { ScanCache } from './scan-cache';

export interface TriageDeps {
  cases: CaseStore;
  /** The platform's content index: what a post really says (ContentReader). */
  content: { get(contentId: string): Promise<PlatformContent | undefined> };
  rules: LiveRuleset<CompiledRuleset>;
  actions: CatalogQueue<'actions'>;
  /**
   * Where token-filed reports' Art. 16 notice records go (`<prefix>-notices`);
   * `writer` (the worker makes one) coalesces concurrent jobs' writes into bulk requests.
   */
  notices: { es: ElasticsearchClient; index: string; writer?: Pick<NoticeWriter, 'record'> };
  /** Folds concurrent jobs' reports in one pipeline (the worker makes one); else each fold is its own call. */
  folds?: Pick<FoldBatcher, 'fold'>;
  /** Recent scans' hits by text digest (the worker makes one); else every report is scanned. */
  scans?: Pick<ScanCache, 'scan'>;
  now?: () => Date;
  /** Told about shadow-rule hits (counted, never acted on). */
  onShadowHits?: (version: number, hits: CaseRuleHit[], contentId: string) => void;
}

export type TriageOutcome =
  | { result: 'duplicate'; caseId: string }
  | { result: 'enqueued' | 'rescored' | 'attached'; caseId: string; priority: number; lane: string; autoDecisionId?: string };

/** Decisions that leave a post visible somewhere: new evidence reopens them. */
const VISIBLE_AFTER: readonly DecisionAction[] = ['keep', 'label', 'restrict'];

/** Reporter types whose report on a kept post counts as new evidence. */
const CREDIBLE: readonly ReporterType[] = ['authority', 'trusted_flagger'];
const MAX_CAS_RETRIES = 20;

/**
 * What the case shows and acts on. The platform's index is the source of
 * truth; a trusted detector's copy stands in for content the index does not
 * hold; an ordinary reporter's copy is evidence only, and the first one
 * stays (a later report never replaces the text moderators see).
 */
export function trustedContent(report: ReportJob, platform: PlatformContent | undefined, existing: CaseContent | undefined): CaseContent {
  // `automated` standing comes from the filing token (the platform's own detectors) or from Takedown's own scans.
  const detector = report.reporter.type === 'automated';
  if (platform) {
    // Detectors hash media the index may not carry; their hashes count beside the platform's.
    const extra = detector ? (report.content.mediaSha256 ?? []).filter((h) => !(platform.mediaSha256 ?? []).includes(h)) : [];
    const extraPdq = detector ? (report.content.mediaPdq ?? []).filter((h) => !(platform.mediaPdq ?? []).includes(h)) : [];
    return {
      ...platform,
      ...(extra.length > 0 ? { mediaSha256: [...(platform.mediaSha256 ?? []), ...extra].slice(0, 100) } : {}),
      ...(extraPdq.length > 0 ? { mediaPdq: [...(platform.mediaPdq ?? []), ...extraPdq].slice(0, 100) } : {}),
      source: 'platform',
    };
  }
  if (detector) return { ...report.content, source: 'detector' };
  // The copy the case already shows (the platform's last, should the post be gone now), else this reporter's.
  if (existing?.source) return existing;
  return { ...report.content, source: 'report' };
}

/**
 * Folds one report into its content's case. Reads the post from the
 * platform's index, reads the case, computes the new state, and writes it
 * with compare-and-set on the case revision (fold-report-18.lua), retrying when
 * another worker folded a report on the same content in between. The same
 * report id twice is a no-op.
 */
export async function triageReport(deps: TriageDeps, report: ReportJob): Promise<TriageOutcome> {
  const now = deps.now?.() ?? new Date();
  const { version, compiled } = deps.rules.current();
  const caseId = caseIdFor(report.content.id);
  // The same scan as ingest's (country-scoped rules included); shadow hits kept, marked.
  const hitsOn = (content: CaseContent): CaseRuleHit[] => {
    const input = { ...(content.text ? { text: content.text } : {}), ...(content.lang ? { lang: content.lang } : {}), mediaSha256: content.mediaSha256 ?? [], mediaPdq: content.mediaPdq ?? [] };
    const scan = deps.scans ? deps.scans.scan(compiled, input, now) : scanContent(compiled, input, now);
    // Hits on a reporter's own copy are shown, never scored or acted on: anyone can write any text into a report.
    const unverified = content.source === 'report';
    return [...scan.hits, ...scan.shadowHits].map((h) => ({ ...h, rulesetVersion: version, ...(unverified ? { unverified: true } : {}) }));
  };
  // Takedown's own scans report the platform's copy they just scanned: taken as it is, unless it would remove the
  // post automatically, which is done only on the post as the index holds it now (it may have been edited since).
  let platform: PlatformContent | undefined;
  if (report.filedBy?.tokenId === SYSTEM_FILER.tokenId) {
    const removing = hitsOn({ ...report.content, source: 'platform' }).some((h) => !h.shadow && h.action === 'auto_remove');
    platform = removing ? ((await deps.content.get(report.content.id)) ?? report.content) : report.content;
  } else {
    platform = await deps.content.get(report.content.id);
  }
  // Platform and detector content does not depend on the case; a reporter's copy may (the first one stays).
  const fixed = platform || report.reporter.type === 'automated' ? trustedContent(report, platform, undefined) : undefined;
  const fixedHits = fixed ? hitsOn(fixed) : undefined;
  const shadow = (fixedHits ?? []).filter((h) => h.shadow);
  if (shadow.length > 0) deps.onShadowHits?.(version, shadow, report.content.id);

  // Most reports are about content nobody reported before: try as a new case
  // first, without a read; a conflict hands back the case's current state.
  let existing: CaseRecord | undefined;
  for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
    const content = fixed ?? trustedContent(report, undefined, existing?.content);
    const ruleHits = fixedHits ?? hitsOn(content);
    const live = ruleHits.filter((h) => !h.shadow && !h.unverified);
    const autoRule = live.find((h) => h.action === 'auto_remove');
    const reporterTypes = [...new Set([...(existing?.reporterTypes ?? []), report.reporter.type])];
    const reportCount = (existing?.reportCount ?? 0) + 1;
    const category = mostSevere([report.reason, ...live.map((h) => h.category), ...(existing ? [existing.category] : [])], report.reason);
    const firstReportedAt = existing?.firstReportedAt ?? report.receivedAt;
    const lastReportedAt = existing && existing.lastReportedAt > report.receivedAt ? existing.lastReportedAt : report.receivedAt;
    const priority = casePriority({
      category,
      reporterTypes,
      reportCount,
      liveRuleHits: live.length,
      autoRemoveHit: autoRule !== undefined,
      firstReportedAt: new Date(firstReportedAt),
      now,
    });

    // A csam reason or hit restricts the case for good (until a confirmed move out clears it), and
    // nothing triage does takes a case off the csam lane: only a confirmed category move does.
    const csamSignal = csamSignalOf(report, ruleHits) || existing?.csamSignal === true;
    const restricted = csamSignal || existing?.lane === 'csam' || existing?.categoryMove !== undefined;

    // Where the case goes, by its state.
    let mode: 'enqueue' | 'attach' | 'requeue-score';
    let lane = existing?.lane ?? routeLane(category, { restricted });
    if (!existing) {
      mode = 'enqueue';
    } else if (existing.status === 'open' || existing.status === 'claimed') {
      // An appeal or escalation keeps its lane unless the content turns out to be abuse material.
      const routed = routeLane(category, { appeal: existing.lane === 'appeals', escalated: existing.lane === 'escalated', restricted });
      // A claimed case keeps its lease; its lane field says where release or expiry returns it.
      mode = existing.status === 'open' && routed !== existing.lane ? 'enqueue' : 'requeue-score';
      lane = routed;
    } else {
      // Decided: the report joins the history, unless the post was left visible (kept, labelled, restricted)
      // and new evidence arrived: a rule it did not hit before, a first credible reporter, or the platform's
      // copy changed since and hits a live rule (an edit after the review).
      const knownRules = new Set(existing.ruleHits.filter((h) => !h.shadow && !h.unverified).map((h) => h.ruleId));
      const edited = content.source === 'platform' && existing.content.source === 'platform' && content.text !== existing.content.text && live.length > 0;
      const newEvidence =
        edited ||
        live.some((h) => !knownRules.has(h.ruleId)) ||
        (CREDIBLE.includes(report.reporter.type) && !existing.reporterTypes.includes(report.reporter.type));
      mode = VISIBLE_AFTER.includes(existing.lastAction as DecisionAction) && newEvidence ? 'enqueue' : 'attach';
      if (mode === 'enqueue') lane = routeLane(category, { restricted });
    }

    // auto_remove: take the content down now, and still have a human confirm.
    let autoDecision: DecisionRecord | undefined;
    const alreadyDown = existing?.autoRemovedBy || (existing?.status === 'decided' && existing.lastAction === 'remove');
    if (autoRule && !alreadyDown) {
      autoDecision = {
        id: newId('d'),
        caseId,
        contentId: content.id,
        action: 'remove',
        category: autoRule.category,
        // The law (or terms) the category rests on: a rule id is internal and never a ground (statements of reasons are public).
        legalGround: defaultGround(autoRule.category, groundKindOf({ category: autoRule.category })).ground,
        note: `auto_remove rule ${autoRule.ruleId} (ruleset v${version})`,
        decidedBy: 'system:triage',
        decidedAt: now.toISOString(),
        automated: true,
      };
      if (mode === 'attach') mode = 'enqueue';
      lane = routeLane(category, { restricted });
    }

    // A report that only joins a decided case's history changes neither its category nor its rank:
    // a reason is the reporter's claim, and the decision stands until new evidence reopens the case.
    const settled = mode === 'attach' ? existing : undefined;
    const fields: Partial<CaseRecord> = {
      id: caseId,
      contentId: content.id,
      lane,
      priority: settled ? settled.priority : priority,
      category: settled ? settled.category : category,
      content,
      reportCount,
      reporterTypes,
      ruleHits,
      firstReportedAt,
      lastReportedAt,
      csamSignal,
      ...(autoDecision ? { autoRemovedBy: autoDecision.id } : {}),
    };
    const fold = {
      caseId,
      report,
      expectedRev: existing?.rev ?? 0,
      fields,
      mode,
      score: laneScore(priority, new Date(firstReportedAt)),
      now,
      audit: {
        type: 'report.received',
        actor: report.filedBy ? (report.filedBy.tokenId === 'system' ? 'system:scan' : (report.filedBy.actorId ?? `reporter:${report.filedBy.name}`)) : `${report.reporter.type}:${report.reporter.id ?? 'anonymous'}`,
        at: now.toISOString(),
        caseId,
        contentId: content.id,
        data: {
          reportId: report.reportId,
          reporterType: report.reporter.type,
          reason: report.reason,
          contentSource: content.source,
          outcome: mode,
          lane,
          priority,
          ruleIds: live.map((h) => h.ruleId),
          rulesetVersion: version,
          ...(autoDecision ? { autoDecisionId: autoDecision.id } : {}),
        },
      },
      autoDecision,
    };
    const outcome = await (deps.folds ? deps.folds.fold(fold) : deps.cases.fold(fold));
    if (outcome.result === 'conflict') {
      existing = outcome.current;
      continue;
    }
    // The Art. 16 record, once the report is in its case. A replayed job (duplicate) writes it too: the first
    // run may have died between the fold and this write. Created once; a scan writes none.
    await (deps.notices.writer ? deps.notices.writer.record(report, caseId) : recordNotice(deps.notices.es, deps.notices.index, report, caseId));
    if (outcome.result === 'duplicate') return { result: 'duplicate', caseId };
    if (mode === 'attach' && existing?.lastDecisionId) {
      // A report that joins a decided case is answered by the decision in force (the actions worker only
      // notifies reports received before a decision). Written once: the record says which decisions it holds.
      const inForce = await deps.cases.decision(caseId, existing.lastDecisionId);
      if (inForce) await recordDecisionNotices(deps.notices.es, deps.notices.index, caseId, [report], inForce, now);
    }
    if (autoDecision) {
      // Lost if this process dies right here? No: the decision sits in the
      // outbox, and the actions worker re-enqueues stale outbox entries.
      await deps.actions.add(actionJobFor(autoDecision), { jobId: autoDecision.id });
    }
    const result = mode === 'enqueue' ? 'enqueued' : mode === 'attach' ? 'attached' : 'rescored';
    return { result, caseId, priority, lane, ...(autoDecision ? { autoDecisionId: autoDecision.id } : {}) };
  }
  throw new Error(`case ${caseId}: too much contention folding report ${report.reportId}; will retry`);
}
