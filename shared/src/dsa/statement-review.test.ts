import type { CaseRecord, DecisionRecord } from '../moderation/case-record';
import { buildStatement, type StatementInput } from './statement-of-reasons';
import { validateStatement } from './statement-validator';

/**
 * Review findings (issue 19): what a moderator's free text can carry into a
 * public statement of reasons (Art. 24(5): no personal data), and text the
 * database's JSON decoder refuses although our validator passed it.
 */
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
const input = (decision: Partial<DecisionRecord>): StatementInput => ({
  case: baseCase,
  decision: { ...baseDecision, ...decision },
  reports: [{ receivedAt: '2026-11-02T10:00:00.000Z', reporter: { type: 'user', id: 'reporter-7' } }],
  reportsComplete: true,
  platform: { createdAt: '2026-10-30T08:00:00.000Z', lang: 'en', hasText: true, mediaKinds: [] },
});
function statementOf(decision: Partial<DecisionRecord>): Record<string, unknown> {
  const b = buildStatement(input(decision));
  if (!b.owed) throw new Error(`no statement: ${b.reason}`);
  return b.statement;
}

describe('statement review: personal data and ids in a moderator\'s words', () => {
  it('leaves no e-mail address, phone number or user handle in the grounds', () => {
    const s = statementOf({
      legalGround: 'Reported by jane.doe+tips@example.org, call +49 170 1234567 or (030) 123-45678',
      explanation: 'Seller @coke_dealer_99 posted the offer; see also user @jane_d.',
    });
    const json = JSON.stringify(s);
    expect(json).not.toMatch(/jane\.doe|example\.org/);
    expect(json).not.toMatch(/170 1234567|123-45678/);
    expect(json).not.toMatch(/coke_dealer_99|jane_d/);
    expect(validateStatement(s)).toEqual([]);
  });

  it('leaves no id of another case or decision (Takedown ids are recognisable by their shape)', () => {
    const other = `c_${Date.now().toString(36)}0123456789abcdef`;
    const s = statementOf({ explanation: `Same seller as case ${other} and decision d_mi0abcde1fedcba9876543210.` });
    const json = JSON.stringify(s);
    expect(json).not.toContain(other);
    expect(json).not.toContain('d_mi0abcde1fedcba9876543210');
  });

  it('leaves no part of an id that straddles the length cut (ids are replaced before the text is cut)', () => {
    // 495 letters, a space, then the case id: the cut at 500 code points would keep "c_ca".
    const s = statementOf({ legalGround: `${'a'.repeat(495)} c_case0001 more words` });
    const ground = String(s['illegal_content_legal_ground']);
    expect(ground).not.toMatch(/c_ca/);
    expect([...ground].length).toBeLessThanOrEqual(500);
  });
});

describe('statement review: text the database cannot decode', () => {
  // PHP's json_decode refuses a lone UTF-16 surrogate escape (JSON_ERROR_UTF16): Laravel then sees an
  // empty body and answers the whole bulk call 422 "The statements field is required.", naming no statement.
  it('the validator refuses a lone surrogate in any text field', () => {
    const b = buildStatement(input({}));
    if (!b.owed) throw new Error('owed');
    const s = { ...b.statement, decision_facts: `${String(b.statement['decision_facts'])} \uD800` };
    expect(validateStatement(s).map((p) => p.field)).toContain('decision_facts');
  });

  it('the builder never puts a lone surrogate into a statement', () => {
    const s = statementOf({ legalGround: 'Statute \uD83D section 3', explanation: 'Offer \uDC00 of drugs' });
    expect(JSON.stringify(s)).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    expect(validateStatement(s)).toEqual([]);
  });
});

describe('statement review: what the redaction leaves alone', () => {
  it('keeps citations, article numbers and dates', () => {
    const text = 'Regulation (EU) 2021/784, Art. 3(1) and § 86a StGB; posted 03.11.2026 and again 2026-11-03 10:00, offer of 1000 g.';
    const s = statementOf({ legalGround: text });
    expect(s['illegal_content_legal_ground']).toBe(text);
  });
});

describe('statement review: text Laravel trims to nothing', () => {
  // Laravel's TrimStrings middleware trims \s, U+FEFF, U+200B and U+200E, then ConvertEmptyStringsToNull:
  // a ground of zero-width characters only arrives empty and the database answers "field is required".
  it('the validator refuses a text field of zero-width characters only', () => {
    const b = buildStatement(input({}));
    if (!b.owed) throw new Error('owed');
    const s = { ...b.statement, illegal_content_legal_ground: '\u200B\u200E\u200B' };
    expect(validateStatement(s).map((p) => p.field)).toContain('illegal_content_legal_ground');
  });

  it('the builder treats zero-width characters as blank (the default ground stands in)', () => {
    const s = statementOf({ explanation: '\u200B\u200B\u200B' });
    expect(String(s['illegal_content_explanation'])).toMatch(/[A-Za-z]/);
  });
});

describe('statement review: media kinds recorded as MIME types', () => {
  // Platforms often record media as MIME types; "image/jpeg" is an image, not media of an unrecorded kind.
  it('maps image/*, video/* and audio/* to their content types', () => {
    const b = buildStatement({ ...input({}), platform: { createdAt: '2026-10-30T08:00:00.000Z', lang: 'en', hasText: false, mediaKinds: ['image/jpeg', 'video/mp4', 'audio/ogg'] } });
    if (!b.owed) throw new Error('owed');
    expect(b.statement['content_type']).toEqual(['CONTENT_TYPE_IMAGE', 'CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_AUDIO']);
    expect(b.statement['content_type_other']).toBeUndefined();
  });
});
