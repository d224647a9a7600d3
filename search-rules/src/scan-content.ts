import { mostSevere, textDigest, type Category, type ContentDocument, type ModerationState } from '@takedown/shared';
import type { CompiledRuleset } from './compile';
import { matchHashes, matchScanned, ruleApplies, toMillis, type Hit } from './match';
import type { Rule } from './rule';
import { matchPdq } from './pdq/pdq-match';

/** What a content scan reads from a post: the platform's own copy, never a reporter's. */
export interface ScanInput {
  text?: string;
  lang?: string;
  mediaSha256?: readonly string[];
  /** PDQ hashes (64 hex) of the post's images, as the platform computed them. */
  mediaPdq?: readonly string[];
}

export interface ContentScan {
  /** normalize(text): stored as moderation.normalizedText for previews, backfills and query-time filtering. */
  normalizedText: string;
  /** Live hits (shadow rules excluded), text hits in text order, then media hits. */
  hits: Hit[];
  /** Shadow rules' hits: counted, never acted on. */
  shadowHits: Hit[];
  /** Ids of the live content rules that hit, sorted and unique: moderation.ruleHits. */
  ruleHits: string[];
}

/**
 * Scans a post with the live content rules: normalises the text once (the
 * stored normalised text and the match share one pass), matches terms and
 * phrases, and matches media hashes. Country-scoped rules match here
 * whatever the country: contentState turns them into a restriction.
 */
export function scanContent(compiled: CompiledRuleset, input: ScanInput, now?: Date | number): ContentScan {
  const ctx = { ...(input.lang ? { locale: input.lang } : {}), anyCountry: true, now: toMillis(now) };
  let normalizedText = '';
  let all: Hit[] = [];
  if (input.text) {
    const scanned = compiled.normalizer.scan(input.text);
    normalizedText = compiled.normalizer.scannedString();
    all = matchScanned(compiled, scanned, 'content', ctx);
  }
  if (input.mediaSha256 && input.mediaSha256.length > 0) all = all.concat(matchHashes(compiled, input.mediaSha256, ctx));
  if (input.mediaPdq && input.mediaPdq.length > 0) all = all.concat(matchPdq(compiled, input.mediaPdq, ctx));
  const hits: Hit[] = [];
  const shadowHits: Hit[] = [];
  for (const h of all) (h.shadow ? shadowHits : hits).push(h);
  return { normalizedText, hits, shadowHits, ruleHits: [...new Set(hits.map((h) => h.ruleId))].sort() };
}

/** How a live content rule shows the post in search before anyone decides: hidden, demoted, or not at all. */
export function searchEffect(rule: Pick<Rule, 'action' | 'untilReviewed'>): 'remove' | 'hide' | 'demote' | undefined {
  switch (rule.action) {
    case 'auto_remove':
      return 'remove';
    case 'exclude':
      return 'hide';
    case 'demote':
      return 'demote';
    case 'flag_for_review':
      return rule.untilReviewed === 'exclude' ? 'hide' : 'demote';
    default:
      return undefined;
  }
}

/** Rules whose hit on a post opens a case for a human. */
export function opensCase(rule: Pick<Rule, 'action'>): boolean {
  return rule.action === 'flag_for_review' || rule.action === 'auto_remove';
}

/**
 * The hits that send a post to a human. Rules that open a case always do.
 * A post a moderator kept (or labelled) stays visible whatever the rules
 * say, so when it changes and now hits a rule that would hide it, that rule
 * sends it back too: the decision covered the post as it was reviewed.
 */
export function rulesWantingReview(rules: readonly Rule[], keptAndChanged: boolean): Rule[] {
  return rules.filter((r) => opensCase(r) || (keptAndChanged && (searchEffect(r) === 'hide' || searchEffect(r) === 'remove')));
}

/** Whether a decision leaves the post visible (kept, labelled, or restricted to some countries only). */
export function decidedVisible(m: { decisionId?: string; state?: string } | undefined): boolean {
  return Boolean(m?.decisionId) && (m?.state === 'none' || m?.state === 'labelled' || m?.state === 'restricted');
}

export interface RuleVerdict {
  state: Extract<ModerationState, 'none' | 'suspected' | 'excluded' | 'removed' | 'restricted'>;
  /** For `restricted`: where the post is hidden. */
  restrictedIn: string[];
  /** The category of the rule that set the state (absent for `none`). */
  category?: Category;
}

/**
 * The state the content rules alone give a post nobody has decided on.
 * `auto_remove` → removed; `exclude` (and `flag_for_review` held as
 * `exclude`) → excluded, or restricted in the rule's countries when it has
 * some; `demote` and `flag_for_review` → suspected (demotion is global).
 * Disabled, shadow, expired and non-content rules give nothing.
 */
export function contentState(rules: Iterable<Rule>, now?: Date | number): RuleVerdict {
  const nowMs = toMillis(now);
  const removed: Category[] = [];
  const excluded: Category[] = [];
  const restricting: Category[] = [];
  const demoted: Category[] = [];
  const restrictedIn = new Set<string>();
  for (const rule of rules) {
    if (rule.shadow || !ruleApplies(rule, 'content', { anyCountry: true }, nowMs)) continue;
    const effect = searchEffect(rule);
    if (effect === 'demote') demoted.push(rule.category);
    else if (effect && rule.countries) {
      restricting.push(rule.category);
      for (const c of rule.countries) restrictedIn.add(c);
    } else if (effect === 'remove') removed.push(rule.category);
    else if (effect === 'hide') excluded.push(rule.category);
  }
  // The category shown is the most severe among the rules that set the state.
  const of = (cs: Category[]) => mostSevere(cs, cs[0] as Category);
  if (removed.length > 0) return { state: 'removed', restrictedIn: [], category: of(removed) };
  if (excluded.length > 0) return { state: 'excluded', restrictedIn: [], category: of(excluded) };
  if (restricting.length > 0) return { state: 'restricted', restrictedIn: [...restrictedIn].sort(), category: of(restricting) };
  if (demoted.length > 0) return { state: 'suspected', restrictedIn: [], category: of(demoted) };
  return { state: 'none', restrictedIn: [] };
}

type Moderation = NonNullable<ContentDocument['moderation']>;

/** The fields a moderator's (or an automated) decision put on a post. They outrank every rule. */
export type DecisionModeration = Pick<Moderation, 'state' | 'category' | 'decisionId' | 'decisionSeq' | 'restrictedIn' | 'labels'>;

/**
 * A post's moderation fields after a scan: the decision's fields when one
 * was made (a re-index never undoes a removal, and a kept post stays
 * visible), otherwise the state its rule hits give; always the scan's
 * normalised text, rule hits and ruleset version.
 */
export function scannedModeration(
  decision: DecisionModeration | undefined,
  scan: Pick<ContentScan, 'normalizedText' | 'ruleHits'>,
  verdict: RuleVerdict,
  version: number,
  at: string,
): Moderation {
  const base = decision?.decisionId
    ? {
        state: decision.state ?? 'none',
        category: decision.category ?? null,
        decisionId: decision.decisionId,
        ...(decision.decisionSeq !== undefined ? { decisionSeq: decision.decisionSeq } : {}),
        restrictedIn: decision.restrictedIn ?? [],
        labels: decision.labels ?? [],
      }
    : { state: verdict.state, category: verdict.category ?? null, restrictedIn: verdict.restrictedIn, labels: [] };
  return { ...base, ruleHits: scan.ruleHits, normalizedText: scan.normalizedText, scannedVersion: version, updatedAt: at };
}

/** The decision fields a stored document carries, when a decision was ever applied to it. */
export function storedDecision(m: Moderation | undefined): DecisionModeration | undefined {
  return m?.decisionId
    ? { state: m.state ?? 'none', category: m.category ?? null, decisionId: m.decisionId, ...(m.decisionSeq !== undefined ? { decisionSeq: m.decisionSeq } : {}), restrictedIn: m.restrictedIn ?? [], labels: m.labels ?? [] }
    : undefined;
}

export interface RescanInput {
  scan: ContentScan;
  /** The live rules behind `scan.ruleHits`. */
  rules: readonly Rule[];
  /** The latest decision on the post: the case store's, else the stored document's. */
  decision: DecisionModeration | undefined;
  /** The stored document's moderation fields, when there is one. */
  stored: Moderation | undefined;
  version: number;
  /** ISO time of the scan. */
  at: string;
}

export interface Rescan {
  moderation: Moderation;
  /** Rules whose hits send the post to a human (an automated report). */
  wanting: Rule[];
  /** A visible decision (keep, label, restrict) reviewed other words than the post says now: their digest, else undefined. */
  changedSince?: string;
}

/**
 * A post's moderation fields after a full scan, the one path ingest and the
 * backfill's sweep share. A decision outranks the rules, except that a post
 * a moderator kept (labelled, restricted) and that has changed since into something
 * the rules hide is held hidden until a moderator looks again (fail closed;
 * its decision id stays), and the rules that would hide it send it back. The
 * reviewed text is known by `reviewedDigest`; a document decided before
 * that existed counts its last stored text as the reviewed one.
 */
export function rescanModeration(i: RescanInput): Rescan {
  const atMs = Date.parse(i.at);
  const verdict = contentState(i.rules, atMs);
  const visible = decidedVisible(i.decision);
  const reviewed = i.stored?.reviewedDigest ?? (visible && i.stored?.normalizedText !== undefined ? textDigest(i.stored.normalizedText) : undefined);
  // Only a visible decision compares texts: most posts have none, and a digest per post is measurable on ingest.
  const now = visible ? textDigest(i.scan.normalizedText) : undefined;
  const changed = visible && reviewed !== now;
  const hides = verdict.state === 'removed' || verdict.state === 'excluded' || verdict.state === 'restricted';
  const held = changed && hides && i.decision !== undefined;
  const moderation = scannedModeration(held ? undefined : i.decision, i.scan, verdict, i.version, i.at);
  if (held) {
    moderation.decisionId = i.decision?.decisionId as string;
    if (i.decision?.decisionSeq !== undefined) moderation.decisionSeq = i.decision.decisionSeq;
    moderation.labels = i.decision?.labels ?? [];
  }
  if (visible && reviewed !== undefined) moderation.reviewedDigest = reviewed;
  return { moderation, wanting: rulesWantingReview(i.rules, changed), ...(changed && now !== undefined ? { changedSince: now } : {}) };
}
