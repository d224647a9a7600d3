import type { Category, DecisionAction, ReporterType } from '../domain/vocabulary';
import type { ReportJob } from '../jobs/payloads';
import type { CaseRecord, DecisionRecord } from '../moderation/case-record';
import { contentLanguageOf } from './iso-639';
import { collapseBlanks, redactPersonalData, wellFormed } from './public-text';
import { CATEGORY_MAPPING, defaultGround, type DecisionGroundKind } from './statement-defaults';
import type { StatementProblem, StoredStatement } from './stored-statement';
import { validateStatement } from './statement-validator';
import { EEA_COUNTRIES, MAX_LENGTHS, type AutomatedDecision, type SourceType, type TdbContentType } from './tdb-vocabulary';

/**
 * DSA Art. 17 statements of reasons in the EU Transparency Database's
 * terms (API v2). One statement per decision that restricts something in
 * the EEA; every field comes from the records the store keeps (the case,
 * its reports, its decisions) and the platform's own post, never from what
 * a report claims about the post, and never carries an internal id or
 * personal data (Art. 24(5)).
 */

/** The EU-27 plus Iceland, Liechtenstein and Norway: the scope of a decision that applies everywhere. */
export const EEA = EEA_COUNTRIES;

/** What the platform's content index says about the post (read by the actions worker when it applies the decision). */
export interface PlatformFacts {
  /** The post's own creation time (the content document's createdAt). */
  createdAt?: string;
  lang?: string;
  hasText: boolean;
  /** The content document's media[].kind values (image, video, audio, ...). */
  mediaKinds: string[];
}

export interface StatementInput {
  case: CaseRecord;
  decision: DecisionRecord;
  /** The case's reports (possibly only some of them: see reportsComplete). */
  reports: readonly Pick<ReportJob, 'receivedAt' | 'reporter'>[];
  /** False when `reports` is a bounded sample of a larger case: the case's reporterTypes then stand in for the rest. */
  reportsComplete: boolean;
  /** The latest content-changing decision recorded on the case before this one. */
  previous?: Pick<DecisionRecord, 'automated' | 'action'>;
  /** The decision this one answers on appeal. */
  appealed?: Pick<DecisionRecord, 'automated'>;
  /** The platform's post; absent when the content index has none (or only a placeholder). */
  platform?: PlatformFacts;
}

export type BuiltStatement =
  | { owed: false; reason: 'no_restriction' | 'outside_eea' }
  | { owed: true; statement: Record<string, unknown>; problems: StatementProblem[] };

/**
 * One restriction a decision imposes. Takedown's decisions today restrict
 * content (visibility); account, monetary and service restrictions and
 * temporary ones (`until` → the end_date_* field of their kind) slot in
 * here when decisions gain them.
 */
interface Restriction {
  kind: 'visibility' | 'monetary' | 'provision' | 'account';
  value: string;
  until?: string;
}

const CONTENT_RESTRICTIONS: Readonly<Partial<Record<DecisionAction, Restriction>>> = {
  remove: { kind: 'visibility', value: 'DECISION_VISIBILITY_CONTENT_REMOVED' },
  restrict: { kind: 'visibility', value: 'DECISION_VISIBILITY_CONTENT_DISABLED' },
  label: { kind: 'visibility', value: 'DECISION_VISIBILITY_CONTENT_LABELLED' },
};

const RESTRICTION_FIELDS = {
  visibility: { field: 'decision_visibility', list: true, endDate: 'end_date_visibility_restriction' },
  monetary: { field: 'decision_monetary', list: false, endDate: 'end_date_monetary_restriction' },
  provision: { field: 'decision_provision', list: false, endDate: 'end_date_service_restriction' },
  account: { field: 'decision_account', list: false, endDate: 'end_date_account_restriction' },
} as const;

/** What a decision restricts; none for keep and escalate (they owe no statement). */
export function restrictionsOf(d: Pick<DecisionRecord, 'action'>): Restriction[] {
  const r = Object.hasOwn(CONTENT_RESTRICTIONS, d.action) ? CONTENT_RESTRICTIONS[d.action] : undefined;
  return r ? [r] : [];
}

/** Whether a decision owes a statement at all (before its territorial scope is known). */
export function owesStatement(d: Pick<DecisionRecord, 'action' | 'countries'>): boolean {
  return restrictionsOf(d).length > 0 && territorialScope(d).length > 0;
}

/** EEA for a decision that applies everywhere; a country restriction's EEA countries (in the database's order). */
export function territorialScope(d: Pick<DecisionRecord, 'action' | 'countries'>): string[] {
  if (d.action !== 'restrict' || !d.countries) return [...EEA_COUNTRIES];
  const named = new Set(d.countries);
  return EEA_COUNTRIES.filter((x) => named.has(x));
}

/** The ground a decision takes: the moderator's choice, else its category's default. */
export function groundKindOf(d: Pick<DecisionRecord, 'ground' | 'category'>): DecisionGroundKind {
  return d.ground ?? CATEGORY_MAPPING[d.category].defaultGround;
}

/** Stronger sources first: an authority's order, a trusted flagger's notice, a user's notice, then our own detection. */
const SOURCE_PRECEDENCE: readonly ReporterType[] = ['authority', 'trusted_flagger', 'user', 'automated'];
const SOURCE_TYPE: Readonly<Record<ReporterType, SourceType>> = {
  authority: 'SOURCE_TYPE_OTHER_NOTIFICATION',
  trusted_flagger: 'SOURCE_TRUSTED_FLAGGER',
  user: 'SOURCE_ARTICLE_16',
  automated: 'SOURCE_VOLUNTARY',
};

/** Rule actions that act on the content by themselves until a human reviews it (remove, hide, demote). */
const ACTING_RULE_ACTIONS: ReadonlySet<string> = new Set(['auto_remove', 'exclude', 'demote']);

const THING: Readonly<Record<string, string>> = {
  post: 'post',
  comment: 'comment',
  message: 'message',
  channel: 'channel',
  profile: 'profile',
  media: 'uploaded media file',
};

const day = (iso: string | undefined): string | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 10);
};

/** Collapses control characters and runs of white space; cuts at `max` code points (the database counts so). */
function cleanText(s: string | undefined, max: number): string | undefined {
  if (s === undefined) return undefined;
  const cleaned = collapseBlanks(wellFormed(s));
  if (!cleaned) return undefined;
  const points = [...cleaned];
  return points.length > max ? points.slice(0, max).join('').trimEnd() : cleaned;
}

const mapDefined = (s: string | undefined, f: (x: string) => string) => (s === undefined ? undefined : f(s));

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces internal ids (the decision's, the case's, the post's, its
 * author's and channel's, rule ids, the moderator's) in a moderator's free
 * text: the statement is public. Ids shorter than 4 characters are left
 * (they would match ordinary words).
 */
function redactIds(s: string | undefined, ids: readonly string[]): string | undefined {
  if (s === undefined) return undefined;
  let out = s;
  for (const id of [...new Set(ids)].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![A-Za-z0-9_])${escapeRe(id)}(?![A-Za-z0-9_])`, 'g'), '[id]');
  }
  return out;
}

function internalIds(c: CaseRecord, d: DecisionRecord, reports: StatementInput['reports']): string[] {
  const actor = d.decidedBy.includes(':') ? d.decidedBy.slice(d.decidedBy.indexOf(':') + 1) : d.decidedBy;
  return [
    d.id,
    c.id,
    c.contentId,
    c.content.authorId,
    ...(c.content.channelId ? [c.content.channelId] : []),
    ...c.ruleHits.map((h) => h.ruleId),
    d.decidedBy,
    actor,
    ...(d.appealOf ? [d.appealOf] : []),
    ...reports.flatMap((r) => (r.reporter.id ? [r.reporter.id] : [])),
  ];
}

const MEDIA_TYPE: Readonly<Record<string, TdbContentType>> = {
  image: 'CONTENT_TYPE_IMAGE',
  photo: 'CONTENT_TYPE_IMAGE',
  picture: 'CONTENT_TYPE_IMAGE',
  gif: 'CONTENT_TYPE_IMAGE',
  video: 'CONTENT_TYPE_VIDEO',
  audio: 'CONTENT_TYPE_AUDIO',
  sound: 'CONTENT_TYPE_AUDIO',
  voice: 'CONTENT_TYPE_AUDIO',
};

/** content_type: text and each kind of media the post carries; CONTENT_TYPE_OTHER (with what it is) for media of an unrecorded kind and for posts with neither. */
export function contentTypesOf(c: CaseRecord, platform: PlatformFacts | undefined): { types: TdbContentType[]; other?: string } {
  const kinds = platform ? platform.mediaKinds : (c.content.mediaPdq?.length ? ['image'] : []);
  const unkindedMedia = platform ? false : (c.content.mediaSha256?.length ?? 0) > 0 && kinds.length === 0;
  const hasText = platform ? platform.hasText : (c.content.text ?? '').trim().length > 0;
  const types = new Set<TdbContentType>();
  if (hasText) types.add('CONTENT_TYPE_TEXT');
  let unknownMedia = unkindedMedia;
  for (const k of kinds) {
    // A MIME type (image/jpeg) is read by its top-level type.
    const key = k.toLowerCase().split('/')[0] ?? '';
    const t = Object.hasOwn(MEDIA_TYPE, key) ? MEDIA_TYPE[key] : undefined;
    if (t) types.add(t);
    else unknownMedia = true;
  }
  const thing = Object.hasOwn(THING, c.content.type) ? (THING[c.content.type] as string) : 'item';
  if (unknownMedia) return { types: [...types, 'CONTENT_TYPE_OTHER'], other: 'Media file of an unrecorded kind' };
  if (types.size === 0) return { types: ['CONTENT_TYPE_OTHER'], other: thing.charAt(0).toUpperCase() + thing.slice(1) };
  return { types: [...types] };
}

/**
 * automated_decision, as the database's guidance defines it (about the
 * decision, not the detection):
 * - FULLY: the decision was taken with no human (an auto_remove rule at triage or ingest);
 * - PARTIALLY: a human decided on what automated means had already done or
 *   proposed: the latest earlier content-changing decision of the case was
 *   automated (a moderator confirming, changing or reversing an automatic
 *   removal), or this decision answers an appeal of an automated one, or a
 *   live rule had already acted on the content pending review (auto_remove,
 *   exclude, demote);
 * - NOT_AUTOMATED otherwise (a flag_for_review hit is detection only).
 */
export function automatedDecisionOf(i: Pick<StatementInput, 'case' | 'decision' | 'previous' | 'appealed'>): AutomatedDecision {
  if (i.decision.automated) return 'AUTOMATED_DECISION_FULLY';
  const acted = i.case.ruleHits.some((h) => !h.shadow && !h.unverified && ACTING_RULE_ACTIONS.has(h.action));
  if (i.previous?.automated || i.appealed?.automated || acted) return 'AUTOMATED_DECISION_PARTIALLY';
  return 'AUTOMATED_DECISION_NOT_AUTOMATED';
}

/** The source of the decision among the reports received up to it, and the identity a statement may name. */
export function sourceOf(i: Pick<StatementInput, 'case' | 'decision' | 'reports' | 'reportsComplete'>): { type: SourceType; reporterType: ReporterType; identity?: string; automatedReport: boolean } {
  const decidedAt = Date.parse(i.decision.decidedAt);
  const before = i.reports.filter((r) => Number.isNaN(decidedAt) || Date.parse(r.receivedAt) <= decidedAt).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const types = new Set<ReporterType>(before.map((r) => r.reporter.type));
  // A bounded sample cannot say when the rest arrived: the case's types stand in for them.
  if (!i.reportsComplete) for (const t of i.case.reporterTypes) types.add(t);
  const reporterType = SOURCE_PRECEDENCE.find((t) => types.has(t)) ?? 'automated';
  const named = before.find((r) => r.reporter.type === reporterType && r.reporter.name);
  let identity: string | undefined;
  // Only organisations with a standing are named; a user is never identified (personal data).
  if (named?.reporter.name && reporterType === 'trusted_flagger') identity = named.reporter.name;
  if (named?.reporter.name && reporterType === 'authority') identity = named.reporter.memberState ? `${named.reporter.name} (${named.reporter.memberState})` : named.reporter.name;
  const cleaned = cleanText(identity, MAX_LENGTHS.source_identity);
  return { type: SOURCE_TYPE[reporterType], reporterType, ...(cleaned ? { identity: cleaned } : {}), automatedReport: types.has('automated') };
}

const SOURCE_PHRASE: Readonly<Record<SourceType, string>> = {
  SOURCE_ARTICLE_16: ' after a notice',
  SOURCE_TRUSTED_FLAGGER: ' after a notice from a trusted flagger',
  SOURCE_TYPE_OTHER_NOTIFICATION: ' after an order or notification from a public authority',
  SOURCE_VOLUNTARY: " on the platform's own initiative",
};

/** decision_facts: generic on purpose (no names, ids or quotes of the content: Art. 24(5)). */
function factsOf(c: CaseRecord, d: DecisionRecord, scope: string[], source: SourceType, detected: boolean, automation: AutomatedDecision, kind: DecisionGroundKind): string {
  const thing = Object.hasOwn(THING, c.content.type) ? (THING[c.content.type] as string) : 'item';
  const noun = CATEGORY_MAPPING[d.category].noun;
  const measure =
    d.action === 'remove'
      ? 'removed it'
      : d.action === 'restrict'
        ? `disabled access to it in ${scope.length === EEA_COUNTRIES.length ? 'the EEA' : `${scope.length} EEA ${scope.length === 1 ? 'country' : 'countries'}`}`
        : d.action === 'label'
          ? 'labelled it'
          : 'restricted it';
  const from = source === 'SOURCE_VOLUNTARY' && detected ? ' after automated detection' : SOURCE_PHRASE[source];
  const parts: string[] = [];
  if (automation === 'AUTOMATED_DECISION_FULLY') parts.push(`An automated check found the ${thing}${from} to be ${noun} and ${measure} without human review.`);
  else if (automation === 'AUTOMATED_DECISION_PARTIALLY') parts.push(`Automated means acted on the ${thing} first; a moderator then reviewed it${from}, found it to be ${noun} and ${measure}.`);
  else parts.push(`A moderator reviewed the ${thing}${from}, found it to be ${noun} and ${measure}.`);
  if (d.appealOf) parts.push('The decision was taken on a complaint against an earlier decision.');
  parts.push(kind === 'illegal_content' ? 'It relies on the legal ground cited.' : 'It relies on the terms and conditions cited.');
  return parts.join(' ');
}

/**
 * The statement for a decision, with the problems that keep it from
 * passing (none: it is ready to submit), or why none is owed: keep and
 * escalate restrict nothing, and a country restriction outside the EEA is
 * outside the DSA's reach.
 */
export function buildStatement(i: StatementInput): BuiltStatement {
  const { case: c, decision: d } = i;
  const restrictions = restrictionsOf(d);
  if (restrictions.length === 0) return { owed: false, reason: 'no_restriction' };
  const scope = territorialScope(d);
  if (scope.length === 0) return { owed: false, reason: 'outside_eea' };

  const problems: StatementProblem[] = [];
  const s: Record<string, unknown> = { puid: d.id };

  for (const r of restrictions) {
    const f = RESTRICTION_FIELDS[r.kind];
    if (f.list) s[f.field] = [...((s[f.field] as string[] | undefined) ?? []), r.value];
    else s[f.field] = r.value;
    const until = day(r.until);
    if (until) s[f.endDate] = until;
  }

  // Grounds: the moderator's words for a human decision (internal ids taken out); the category's defaults for an automated one.
  const ids = internalIds(c, d, i.reports);
  const kind = groundKindOf(d);
  const fallback = defaultGround(d.category, kind);
  // Ids and personal data out first, then the cut: an id straddling the limit would otherwise leave its start behind.
  const publicText = (t: string | undefined, max: number) => cleanText(mapDefined(redactIds(t, ids), redactPersonalData), max);
  const ground = d.automated ? fallback.ground : publicText(d.legalGround, MAX_LENGTHS.illegal_content_legal_ground);
  const explanation = d.automated ? fallback.explanation : (publicText(d.explanation, MAX_LENGTHS.illegal_content_explanation) ?? fallback.explanation);
  if (kind === 'illegal_content') {
    s['decision_ground'] = 'DECISION_GROUND_ILLEGAL_CONTENT';
    if (ground) s['illegal_content_legal_ground'] = ground;
    s['illegal_content_explanation'] = explanation;
    if (d.category === 'other') {
      problems.push({ field: 'decision_ground', code: 'ground_category', message: "Category other is a terms-and-conditions category; an illegal-content decision needs the category the law concerns." });
    }
  } else {
    s['decision_ground'] = 'DECISION_GROUND_INCOMPATIBLE_CONTENT';
    if (ground) s['incompatible_content_ground'] = ground;
    s['incompatible_content_explanation'] = explanation;
    if (d.alsoIllegal !== undefined) s['incompatible_content_illegal'] = d.alsoIllegal ? 'Yes' : 'No';
  }

  const { types, other } = contentTypesOf(c, i.platform);
  s['content_type'] = types;
  if (other) s['content_type_other'] = other;

  const mapping = CATEGORY_MAPPING[d.category];
  s['category'] = mapping.category;
  if (mapping.keywords.length > 0) s['category_specification'] = [...mapping.keywords];
  s['territorial_scope'] = scope;

  // The post's own language and date, from the platform (or a trusted detector's copy), never from a reporter's claim.
  const trustedCopy = c.content.source === 'platform' || c.content.source === 'detector';
  const language = contentLanguageOf(i.platform ? i.platform.lang : trustedCopy ? c.content.lang : undefined);
  if (language) s['content_language'] = language;
  const contentDate = day(i.platform?.createdAt) ?? (trustedCopy ? day(c.content.createdAt) : undefined);
  if (contentDate) s['content_date'] = contentDate;
  else problems.push({ field: 'content_date', code: 'unknown', message: "The post's own date is unknown (the platform's content index has no createdAt for it); a report's date is never used instead." });
  const applied = day(d.decidedAt);
  if (applied) s['application_date'] = applied;

  const source = sourceOf(i);
  const detected = c.ruleHits.some((h) => !h.shadow && !h.unverified) || source.automatedReport;
  const automation = automatedDecisionOf(i);
  s['decision_facts'] = factsOf(c, d, scope, source.type, detected, automation, kind);
  s['source_type'] = source.type;
  if (source.identity && source.type !== 'SOURCE_VOLUNTARY') s['source_identity'] = source.identity;
  s['automated_detection'] = detected ? 'Yes' : 'No';
  s['automated_decision'] = automation;

  const builderFields = new Set(problems.map((p) => p.field));
  // The validator's "required" on a field the builder already explained is the same problem twice.
  const found = validateStatement(s).filter((p) => !(builderFields.has(p.field) && p.code === 'required'));
  return { owed: true, statement: s, problems: [...problems, ...found] };
}

/** The document stored for a statement: `pending` when it passes, `invalid` with its problems when not. */
export function storedStatementFor(i: StatementInput, built: Extract<BuiltStatement, { owed: true }>, now: Date): StoredStatement {
  const { case: c, decision: d } = i;
  const s = built.statement;
  const str = (k: string) => (typeof s[k] === 'string' ? (s[k] as string) : '');
  const decidedAt = Number.isNaN(Date.parse(d.decidedAt)) ? now.toISOString() : new Date(d.decidedAt).toISOString();
  return {
    puid: d.id,
    decisionId: d.id,
    caseId: c.id,
    contentId: c.contentId,
    createdAt: now.toISOString(),
    decidedAt,
    status: built.problems.length === 0 ? 'pending' : 'invalid',
    ...(built.problems.length > 0 ? { problems: built.problems } : {}),
    statement: s,
    category: str('category'),
    decision_ground: str('decision_ground'),
    source_type: str('source_type'),
    automated_detection: str('automated_detection'),
    automated_decision: str('automated_decision'),
    takedownCategory: d.category satisfies Category,
    ...(d.appealOf ? { appealOf: d.appealOf } : {}),
  };
}
