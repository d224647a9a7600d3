import type { CaseRecord, DecisionRecord } from './case-record';
import { EEA, statementOfReasons } from './statement-of-reasons';

const base: CaseRecord = {
  id: 'c_1',
  contentId: 'post-1',
  status: 'decided',
  lane: 'default',
  priority: 300,
  category: 'drugs',
  content: { id: 'post-1', type: 'post', text: 'selling coke', authorId: 'u1', lang: 'en', createdAt: '2026-11-01T10:00:00.000Z' },
  reportCount: 2,
  reporterTypes: ['user'],
  ruleHits: [],
  firstReportedAt: '2026-11-02T10:00:00.000Z',
  lastReportedAt: '2026-11-02T11:00:00.000Z',
  rev: 3,
};
const decision: DecisionRecord = {
  id: 'd_abc123',
  caseId: 'c_1',
  contentId: 'post-1',
  action: 'remove',
  category: 'drugs',
  legalGround: 'Sale of controlled substances (example statute)',
  decidedBy: 'moderator:alice',
  decidedAt: '2026-11-03T09:00:00.000Z',
  automated: false,
};

describe('statementOfReasons', () => {
  it('maps a human removal after a user notice', () => {
    const s = statementOfReasons(base, decision)!;
    expect(s).toMatchObject({
      puid: 'd_abc123',
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'No',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      content_date: '2026-11-01',
      application_date: '2026-11-03',
      content_language: 'EN',
      territorial_scope: [...EEA],
    });
    expect(s.puid).toMatch(/^[a-zA-Z0-9-_]+$/);
    // No personal data in the facts: neither the author nor the text.
    expect(s.decision_facts).not.toContain('u1');
    expect(s.decision_facts).not.toContain('coke');
  });

  it('says "Yes" to automated detection exactly when a rule or detector found it (the mapping some platforms inverted)', () => {
    const ruleHit = { ruleId: 'r1', category: 'drugs' as const, action: 'flag_for_review', shadow: false, start: 0, end: 4, rulesetVersion: 1 };
    expect(statementOfReasons({ ...base, ruleHits: [ruleHit] }, decision)!.automated_detection).toBe('Yes');
    expect(statementOfReasons({ ...base, reporterTypes: ['automated'] }, decision)!.automated_detection).toBe('Yes');
    expect(statementOfReasons({ ...base, ruleHits: [{ ...ruleHit, shadow: true }] }, decision)!.automated_detection).toBe('No');
    expect(statementOfReasons(base, { ...decision, automated: true })!.automated_decision).toBe('AUTOMATED_DECISION_FULLY');
  });

  it('scopes a restriction to the named EEA countries, and skips keep and escalate', () => {
    const s = statementOfReasons(base, { ...decision, action: 'restrict', countries: ['DE', 'US', 'FR'] })!;
    expect(s.territorial_scope).toEqual(['DE', 'FR']);
    expect(s.decision_visibility).toEqual(['DECISION_VISIBILITY_CONTENT_DISABLED']);
    expect(statementOfReasons(base, { ...decision, action: 'keep' })).toBeUndefined();
    expect(statementOfReasons(base, { ...decision, action: 'escalate' })).toBeUndefined();
  });

  it('prefers a trusted flagger as the source and maps CSAM to protection of minors', () => {
    const s = statementOfReasons({ ...base, reporterTypes: ['user', 'trusted_flagger'] }, { ...decision, category: 'csam' })!;
    expect(s.source_type).toBe('SOURCE_TRUSTED_FLAGGER');
    expect(s.category).toBe('STATEMENT_CATEGORY_PROTECTION_OF_MINORS');
    expect(s.category_specification).toEqual(['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL']);
  });
});
