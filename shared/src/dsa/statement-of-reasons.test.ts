import { CATEGORIES, DECISION_ACTIONS, REPORTER_TYPES, type ReporterType } from '../domain/vocabulary';
import type { CaseRecord, CaseRuleHit, DecisionRecord } from '../moderation/case-record';
import { buildStatement, groundKindOf, storedStatementFor, type PlatformFacts, type StatementInput } from './statement-of-reasons';
import { CATEGORY_MAPPING, DEFAULT_LEGAL_GROUNDS } from './statement-defaults';
import { validateStatement } from './statement-validator';
import { EEA_COUNTRIES } from './tdb-vocabulary';

const baseCase: CaseRecord = {
  id: 'c_case0001',
  contentId: 'post-7781',
  status: 'decided',
  lane: 'default',
  priority: 300,
  category: 'drugs',
  content: { id: 'post-7781', type: 'post', text: 'selling coke', authorId: 'author-4411', lang: 'en', createdAt: '2026-11-01T10:00:00.000Z', source: 'platform' },
  reportCount: 1,
  reporterTypes: ['user'],
  ruleHits: [],
  firstReportedAt: '2026-11-02T10:00:00.000Z',
  lastReportedAt: '2026-11-02T10:00:00.000Z',
  rev: 3,
};
const baseDecision: DecisionRecord = {
  id: 'd_abc123',
  caseId: 'c_case0001',
  contentId: 'post-7781',
  action: 'remove',
  category: 'drugs',
  legalGround: 'Sale of controlled substances (example statute)',
  decidedBy: 'moderator:alice',
  decidedAt: '2026-11-03T09:00:00.000Z',
  automated: false,
};
const platform: PlatformFacts = { createdAt: '2026-10-30T08:00:00.000Z', lang: 'en', hasText: true, mediaKinds: [] };
const report = (type: ReporterType, receivedAt = '2026-11-02T10:00:00.000Z', extra: { name?: string; memberState?: string; id?: string } = {}) => ({ receivedAt, reporter: { type, ...extra } });
const hit = (extra: Partial<CaseRuleHit> = {}): CaseRuleHit => ({ ruleId: 'drugs-sale', category: 'drugs', action: 'flag_for_review', shadow: false, start: 0, end: 4, rulesetVersion: 1, ...extra });

const input = (over: Partial<StatementInput> = {}): StatementInput => ({
  case: baseCase,
  decision: baseDecision,
  reports: [report('user', '2026-11-02T10:00:00.000Z', { id: 'reporter-7' })],
  reportsComplete: true,
  platform,
  ...over,
});
const built = (over: Partial<StatementInput> = {}) => {
  const b = buildStatement(input(over));
  if (!b.owed) throw new Error(`no statement: ${b.reason}`);
  return b;
};
const statementOf = (over: Partial<StatementInput> = {}) => built(over).statement;

describe('buildStatement', () => {
  it('maps a human removal after a user notice, and it passes', () => {
    const b = built();
    expect(b.problems).toEqual([]);
    expect(b.statement).toEqual({
      puid: 'd_abc123',
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      illegal_content_legal_ground: 'Sale of controlled substances (example statute)',
      illegal_content_explanation: DEFAULT_LEGAL_GROUNDS.drugs.explanation,
      content_type: ['CONTENT_TYPE_TEXT'],
      category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
      category_specification: ['KEYWORD_PROHIBITED_PRODUCTS'],
      territorial_scope: [...EEA_COUNTRIES],
      content_language: 'EN',
      content_date: '2026-10-30',
      application_date: '2026-11-03',
      decision_facts: 'A moderator reviewed the post after a notice, found it to be an offer or promotion of illegal drugs and removed it. It relies on the legal ground cited.',
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'No',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
    });
  });

  it('owes nothing for keep and escalate, nor for a restriction outside the EEA', () => {
    expect(buildStatement(input({ decision: { ...baseDecision, action: 'keep' } }))).toEqual({ owed: false, reason: 'no_restriction' });
    expect(buildStatement(input({ decision: { ...baseDecision, action: 'escalate' } }))).toEqual({ owed: false, reason: 'no_restriction' });
    expect(buildStatement(input({ decision: { ...baseDecision, action: 'restrict', countries: ['US', 'CH', 'GB'] } }))).toEqual({ owed: false, reason: 'outside_eea' });
  });

  it('scopes a restriction to its EEA countries, and a label or removal to the whole EEA', () => {
    const s = statementOf({ decision: { ...baseDecision, action: 'restrict', countries: ['US', 'NO', 'FR', 'DE'] } });
    expect(s['territorial_scope']).toEqual(['DE', 'FR', 'NO']);
    expect(s['decision_visibility']).toEqual(['DECISION_VISIBILITY_CONTENT_DISABLED']);
    expect(s['decision_facts']).toContain('disabled access to it in 3 EEA countries');
    const l = statementOf({ decision: { ...baseDecision, action: 'label' } });
    expect(l['decision_visibility']).toEqual(['DECISION_VISIBILITY_CONTENT_LABELLED']);
    expect(l['territorial_scope']).toEqual([...EEA_COUNTRIES]);
  });

  describe('grounds', () => {
    it('a terms decision carries the incompatible-content fields only', () => {
      const s = statementOf({ decision: { ...baseDecision, ground: 'terms_and_conditions', legalGround: 'Terms of service 4.2', explanation: 'Drug offers are not allowed.', alsoIllegal: true } });
      expect(s).toMatchObject({
        decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
        incompatible_content_ground: 'Terms of service 4.2',
        incompatible_content_explanation: 'Drug offers are not allowed.',
        incompatible_content_illegal: 'Yes',
      });
      expect(s).not.toHaveProperty('illegal_content_legal_ground');
      expect(s).not.toHaveProperty('illegal_content_explanation');
    });

    it('category other is a terms decision by default, in the terms category', () => {
      const b = built({ decision: { ...baseDecision, category: 'other', legalGround: 'Terms of service' } });
      expect(b.problems).toEqual([]);
      expect(b.statement).toMatchObject({ decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT', category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC' });
      expect(b.statement).not.toHaveProperty('incompatible_content_illegal');
    });

    it('an illegal-content decision of category other is refused, not sent with a terms category', () => {
      const b = built({ decision: { ...baseDecision, category: 'other', ground: 'illegal_content' } });
      expect(b.problems.map((p) => p.code)).toContain('ground_category');
    });

    it('an automated removal cites the category default, never its rule id', () => {
      const auto: DecisionRecord = { ...baseDecision, category: 'csam', legalGround: 'auto_remove rule known-csam-hash (ruleset v3)', decidedBy: 'system:triage', automated: true };
      const c = { ...baseCase, category: 'csam' as const, ruleHits: [hit({ ruleId: 'known-csam-hash', category: 'csam', action: 'auto_remove' })] };
      const s = statementOf({ case: c, decision: auto });
      expect(s['illegal_content_legal_ground']).toBe(DEFAULT_LEGAL_GROUNDS.csam.ground);
      expect(JSON.stringify(s)).not.toContain('known-csam-hash');
      expect(JSON.stringify(s)).not.toContain('auto_remove');
    });

    it("takes internal ids out of a moderator's words, and cleans white space", () => {
      const d = { ...baseDecision, legalGround: 'Rule drugs-sale\non post-7781 by author-4411 (case c_case0001)', explanation: 'Seen by moderator:alice   and alice' };
      const s = statementOf({ case: { ...baseCase, ruleHits: [hit()] }, decision: d });
      expect(s['illegal_content_legal_ground']).toBe('Rule [id] on [id] by [id] (case [id])');
      expect(s['illegal_content_explanation']).toBe('Seen by [id] and [id]');
    });

    it('a blank legal ground on a human decision is a problem, not a made-up ground', () => {
      const b = built({ decision: { ...baseDecision, legalGround: '' } });
      expect(b.problems).toEqual([expect.objectContaining({ field: 'illegal_content_legal_ground', code: 'required_if' })]);
    });
  });

  describe('automation', () => {
    it('automated_detection is Yes exactly when a live rule or a detector found it', () => {
      expect(statementOf({ case: { ...baseCase, ruleHits: [hit()] } })['automated_detection']).toBe('Yes');
      expect(statementOf({ case: { ...baseCase, ruleHits: [hit({ shadow: true })] } })['automated_detection']).toBe('No');
      expect(statementOf({ case: { ...baseCase, ruleHits: [hit({ unverified: true })] } })['automated_detection']).toBe('No');
      expect(statementOf({ reports: [report('user'), report('automated')] })['automated_detection']).toBe('Yes');
      expect(statementOf()['automated_detection']).toBe('No');
    });

    it('FULLY for an automatic removal; PARTIALLY when a human decided on an automated action; NOT_AUTOMATED otherwise', () => {
      expect(statementOf({ decision: { ...baseDecision, automated: true } })['automated_decision']).toBe('AUTOMATED_DECISION_FULLY');
      expect(statementOf({ previous: { automated: true, action: 'remove' } })['automated_decision']).toBe('AUTOMATED_DECISION_PARTIALLY');
      expect(statementOf({ appealed: { automated: true } })['automated_decision']).toBe('AUTOMATED_DECISION_PARTIALLY');
      expect(statementOf({ case: { ...baseCase, ruleHits: [hit({ action: 'exclude' })] } })['automated_decision']).toBe('AUTOMATED_DECISION_PARTIALLY');
      expect(statementOf({ previous: { automated: false, action: 'remove' } })['automated_decision']).toBe('AUTOMATED_DECISION_NOT_AUTOMATED');
      // A flag_for_review hit is detection only.
      expect(statementOf({ case: { ...baseCase, ruleHits: [hit()] } })['automated_decision']).toBe('AUTOMATED_DECISION_NOT_AUTOMATED');
    });
  });

  describe('source', () => {
    it('maps each kind of notifier, strongest first, naming only organisations', () => {
      expect(statementOf({ reports: [report('user', undefined, { id: 'u-1' })] })).not.toHaveProperty('source_identity');
      expect(statementOf({ reports: [report('user'), report('trusted_flagger', undefined, { name: 'Safer Internet Centre' })] })).toMatchObject({ source_type: 'SOURCE_TRUSTED_FLAGGER', source_identity: 'Safer Internet Centre' });
      expect(statementOf({ reports: [report('trusted_flagger', undefined, { name: 'SIC' }), report('authority', undefined, { name: 'Bundeskriminalamt', memberState: 'DE' })] })).toMatchObject({
        source_type: 'SOURCE_TYPE_OTHER_NOTIFICATION',
        source_identity: 'Bundeskriminalamt (DE)',
      });
      const own = statementOf({ reports: [report('automated', undefined, { name: 'Hash scanner' })] });
      expect(own['source_type']).toBe('SOURCE_VOLUNTARY');
      expect(own).not.toHaveProperty('source_identity');
      expect(statementOf({ reports: [] })['source_type']).toBe('SOURCE_VOLUNTARY');
    });

    it('counts only reports received up to the decision (unless the sample is partial)', () => {
      const late = [report('automated', '2026-11-01T00:00:00.000Z'), report('authority', '2026-11-04T00:00:00.000Z', { name: 'Late' })];
      expect(statementOf({ reports: late })['source_type']).toBe('SOURCE_VOLUNTARY');
      expect(statementOf({ reports: late, reportsComplete: false, case: { ...baseCase, reporterTypes: ['automated', 'authority'] } })['source_type']).toBe('SOURCE_TYPE_OTHER_NOTIFICATION');
    });
  });

  describe('content', () => {
    it('types text and each kind of media; media of an unrecorded kind is OTHER, never an image', () => {
      expect(statementOf({ platform: { ...platform, mediaKinds: ['image'] } })['content_type']).toEqual(['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_IMAGE']);
      expect(statementOf({ platform: { ...platform, hasText: false, mediaKinds: ['video', 'image', 'video'] } })['content_type']).toEqual(['CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_IMAGE']);
      const unknown = statementOf({ platform: { ...platform, hasText: false, mediaKinds: [''] } });
      expect(unknown).toMatchObject({ content_type: ['CONTENT_TYPE_OTHER'], content_type_other: 'Media file of an unrecorded kind' });
      const profile = statementOf({ case: { ...baseCase, content: { ...baseCase.content, type: 'profile' } }, platform: { ...platform, hasText: false } });
      expect(profile).toMatchObject({ content_type: ['CONTENT_TYPE_OTHER'], content_type_other: 'Profile' });
      // No platform post: the case's copy; PDQ hashes are image hashes.
      const media = statementOf({ platform: undefined, case: { ...baseCase, content: { id: 'm-1', type: 'media', authorId: 'a', mediaPdq: ['ab'.repeat(32)], createdAt: '2026-11-01T00:00:00.000Z', source: 'detector' } } });
      expect(media['content_type']).toEqual(['CONTENT_TYPE_IMAGE']);
    });

    it("dates the content by the post's own date, never a report's; unknown → invalid with a problem", () => {
      expect(statementOf()['content_date']).toBe('2026-10-30');
      // A reporter's copy is not the post: its date and language are claims.
      const reported = built({ platform: undefined, case: { ...baseCase, content: { ...baseCase.content, source: 'report' } } });
      expect(reported.statement).not.toHaveProperty('content_date');
      expect(reported.statement).not.toHaveProperty('content_language');
      expect(reported.problems).toEqual([expect.objectContaining({ field: 'content_date', code: 'unknown' })]);
      const detector = statementOf({ platform: undefined, case: { ...baseCase, content: { ...baseCase.content, source: 'detector' } } });
      expect(detector['content_date']).toBe('2026-11-01');
    });

    it('maps the language with ISO 639 (none for und, and Filipino is not Finnish)', () => {
      expect(statementOf({ platform: { ...platform, lang: 'und' } })).not.toHaveProperty('content_language');
      expect(statementOf({ platform: { ...platform, lang: 'fil' } })).not.toHaveProperty('content_language');
      expect(statementOf({ platform: { ...platform, lang: 'deu' } })['content_language']).toBe('DE');
    });
  });

  it('keeps personal data and ids out of the facts', () => {
    const s = statementOf({ case: { ...baseCase, ruleHits: [hit()] } });
    const facts = s['decision_facts'] as string;
    for (const secret of ['author-4411', 'post-7781', 'c_case0001', 'd_abc123', 'alice', 'coke', 'drugs-sale']) expect(facts).not.toContain(secret);
  });

  it('stores pending with the keyword copies, or invalid with problems', () => {
    const i = input({ decision: { ...baseDecision, appealOf: 'd_first' } });
    const b = buildStatement(i);
    if (!b.owed) throw new Error('owed');
    const doc = storedStatementFor(i, b, new Date('2026-11-03T09:00:01.000Z'));
    expect(doc).toMatchObject({
      puid: 'd_abc123',
      decisionId: 'd_abc123',
      caseId: 'c_case0001',
      contentId: 'post-7781',
      status: 'pending',
      decidedAt: '2026-11-03T09:00:00.000Z',
      createdAt: '2026-11-03T09:00:01.000Z',
      category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'No',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      takedownCategory: 'drugs',
      appealOf: 'd_first',
    });
    expect(doc).not.toHaveProperty('problems');
    expect(doc.statement['decision_facts']).toContain('complaint against an earlier decision');
    const bad = input({ platform: undefined, case: { ...baseCase, content: { ...baseCase.content, source: 'report' } } });
    const bb = buildStatement(bad);
    if (!bb.owed) throw new Error('owed');
    expect(storedStatementFor(bad, bb, new Date())).toMatchObject({ status: 'invalid', problems: [expect.objectContaining({ field: 'content_date' })] });
  });
});

/** Every decision type × every category × every source type, through the mapper and the validator. */
describe('every decision type, category and source goes through the validator', () => {
  const grounds = [undefined, 'illegal_content', 'terms_and_conditions'] as const;
  const cases: [string, string, ReporterType, string][] = [];
  for (const action of DECISION_ACTIONS) for (const category of CATEGORIES) for (const source of REPORTER_TYPES) for (const g of grounds) cases.push([action, category, source, String(g)]);

  it.each(cases)('%s × %s × %s (ground %s)', (action, category, source, g) => {
    const ground = g === 'undefined' ? undefined : (g as 'illegal_content' | 'terms_and_conditions');
    // The API refuses illegal_content with category other (see the decision schema); nothing else is excluded.
    if (category === 'other' && ground === 'illegal_content') return;
    const decision: DecisionRecord = {
      ...baseDecision,
      action: action as DecisionRecord['action'],
      category: category as DecisionRecord['category'],
      ...(action === 'restrict' ? { countries: ['DE', 'US'] } : {}),
      ...(ground ? { ground } : {}),
      ...(ground === 'terms_and_conditions' ? { alsoIllegal: false } : {}),
    };
    for (const automated of [false, true]) {
      const b = buildStatement(input({ decision: { ...decision, automated }, case: { ...baseCase, category: decision.category, reporterTypes: [source] }, reports: [report(source, undefined, { name: 'Org name', memberState: 'FR' })] }));
      if (action === 'keep' || action === 'escalate') {
        expect(b.owed).toBe(false);
        continue;
      }
      if (!b.owed) throw new Error(`${action} owes a statement`);
      expect(b.problems).toEqual([]);
      expect(validateStatement(b.statement)).toEqual([]);
      expect(b.statement['category']).toBe(CATEGORY_MAPPING[decision.category].category);
      expect(b.statement['decision_ground']).toBe(groundKindOf(decision) === 'illegal_content' ? 'DECISION_GROUND_ILLEGAL_CONTENT' : 'DECISION_GROUND_INCOMPATIBLE_CONTENT');
      expect(b.statement['source_type']).toBe({ user: 'SOURCE_ARTICLE_16', trusted_flagger: 'SOURCE_TRUSTED_FLAGGER', authority: 'SOURCE_TYPE_OTHER_NOTIFICATION', automated: 'SOURCE_VOLUNTARY' }[source]);
      expect(b.statement['automated_decision']).toBe(automated ? 'AUTOMATED_DECISION_FULLY' : 'AUTOMATED_DECISION_NOT_AUTOMATED');
    }
  });
});
