import fc from 'fast-check';
import {
  CATEGORIES,
  CONTENT_SOURCES,
  COUNTRY_CODE_LIST,
  CONTENT_TYPES,
  DECISION_ACTIONS,
  DECISION_GROUND_KINDS,
  EEA_COUNTRIES,
  REPORTER_TYPES,
  buildStatement,
  caseIdFor,
  compileValidator,
  defaultGround,
  groundKindOf,
  newId,
  reportJobSchema,
  validateStatement,
  type CaseRecord,
  type DecisionRecord,
  type PlatformFacts,
  type ReportJob,
  type StatementInput,
} from '@takedown/shared';
import { RULE_ACTIONS } from '@takedown/search-rules';
import { validateDecisionBody, type DecisionBody } from './schemas';

/**
 * Property: any decision the API accepts (its own ajv schema bounds the
 * generator), on any case built from reports the report schema accepts,
 * yields a statement that passes the Transparency Database's rules, or
 * rightly none (keep, escalate, a restriction outside the EEA). The one
 * input that legitimately yields an invalid statement, a post whose own
 * date is unknown, is kept out: its statement is `invalid` by design
 * (statement-of-reasons.test.ts covers it).
 */

const accepts = <T>(validate: (x: unknown) => T) => (x: unknown): boolean => {
  try {
    validate(x);
    return true;
  } catch {
    return false;
  }
};
const validReport = compileValidator<ReportJob>(reportJobSchema, 'report job');

const day = (min: string, max: string) => fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true });
const anyText = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: max }),
    fc.string({ unit: 'binary', maxLength: max }),
    fc.string({ unit: 'grapheme', maxLength: Math.floor(max / 2) }),
    fc.constantFrom('   ', '\u200B\u200E\u200B', 'a\uD800b\uDC00c', 'mail jane@example.org or +49 170 1234567', '\n\t x \u0000', '\u0000\u0001\u007f\u2028', 'auto_remove rule drugs-sale (ruleset v3)', 'x'.repeat(max)),
  );
const idText = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);

const decisionBody: fc.Arbitrary<DecisionBody> = fc
  .record(
    {
      leaseToken: fc.constant('lease'),
      action: fc.constantFrom(...DECISION_ACTIONS),
      category: fc.constantFrom(...CATEGORIES),
      legalGround: anyText(520),
      countries: fc.uniqueArray(fc.constantFrom(...COUNTRY_CODE_LIST, ...EEA_COUNTRIES), { minLength: 1, maxLength: 40 }),
      note: fc.string({ maxLength: 50 }),
      ground: fc.constantFrom(...DECISION_GROUND_KINDS),
      explanation: anyText(2010),
      alsoIllegal: fc.boolean(),
    },
    { requiredKeys: ['leaseToken', 'action', 'category', 'legalGround'] },
  )
  // Restrictions always name countries; the rest of the body is left to the schema to accept or refuse.
  .map((b) => (b.action === 'restrict' ? { ...b, countries: b.countries ?? ['DE'] } : (({ countries: _c, ...rest }) => rest)(b)))
  .filter(accepts(validateDecisionBody)) as fc.Arbitrary<DecisionBody>;

const reportJob = (contentId: string, at: fc.Arbitrary<Date>): fc.Arbitrary<ReportJob> =>
  fc
    .record({
      reportId: fc.stringMatching(/^r_[a-z0-9]{6,20}$/),
      receivedAt: at.map((d) => d.toISOString()),
      content: fc.record(
        {
          id: fc.constant(contentId),
          type: fc.constantFrom(...CONTENT_TYPES),
          text: fc.string({ maxLength: 200 }),
          mediaSha256: fc.array(fc.stringMatching(/^[a-f0-9]{64}$/), { maxLength: 3 }),
          mediaPdq: fc.array(fc.stringMatching(/^[a-f0-9]{64}$/), { maxLength: 3 }),
          authorId: idText,
          channelId: idText,
          lang: fc.oneof(fc.constantFrom('en', 'und', 'fil', 'mul', 'zxx', 'de-AT', 'zh-Hant', 'iw', 'qaa', 'un'), fc.stringMatching(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/)),
          createdAt: day('2000-01-01', '2037-12-31').map((d) => d.toISOString()),
        },
        { requiredKeys: ['id', 'type', 'authorId'] },
      ),
      reporter: fc.record(
        { id: idText, type: fc.constantFrom(...REPORTER_TYPES), name: fc.string({ minLength: 1, maxLength: 200 }), memberState: fc.constantFrom('DE', 'FR', 'US', 'NO') },
        { requiredKeys: ['type'] },
      ),
      reason: fc.constantFrom(...CATEGORIES),
    })
    .filter(accepts(validReport));

const platformFacts = (postDate: fc.Arbitrary<Date>): fc.Arbitrary<PlatformFacts> =>
  fc.record(
    {
      createdAt: postDate.map((d) => d.toISOString()),
      lang: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('en', 'und', 'fil', 'pt_BR', 'deu')),
      hasText: fc.boolean(),
      mediaKinds: fc.array(fc.constantFrom('image', 'video', 'audio', '', 'sticker', 'IMAGE', 'gif'), { maxLength: 4 }),
    },
    { requiredKeys: ['createdAt', 'hasText', 'mediaKinds'] },
  );

const scenario = fc
  .record({
    contentId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,60}$/),
    decidedAt: day('2020-01-01', '2037-12-31'),
    body: decisionBody,
    automated: fc.boolean(),
    dateFrom: fc.constantFrom('platform', 'case'),
    source: fc.constantFrom(...CONTENT_SOURCES),
    previousAutomated: fc.option(fc.boolean(), { nil: undefined }),
    appealedAutomated: fc.option(fc.boolean(), { nil: undefined }),
    ruleHits: fc.array(
      fc.record({ ruleId: idText, category: fc.constantFrom(...CATEGORIES), action: fc.constantFrom(...RULE_ACTIONS), shadow: fc.boolean(), unverified: fc.boolean() }),
      { maxLength: 3 },
    ),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      reports: fc.array(reportJob(s.contentId, day('2019-01-01', '2037-12-31')), { minLength: 1, maxLength: 4 }),
      postDate: day('2000-01-01', '2037-12-31').map((d) => (d > s.decidedAt ? s.decidedAt : d)),
      extraFacts: platformFacts(day('2000-01-01', '2037-12-31').map((d) => (d > s.decidedAt ? s.decidedAt : d))),
      reportsComplete: fc.boolean(),
    }),
  );

describe('any case and decision the API accepts yields a statement that passes', () => {
  it('holds for generated cases and decisions', () => {
    fc.assert(
      fc.property(scenario, ({ s, reports, postDate, extraFacts, reportsComplete }) => {
        const first = reports[0] as ReportJob;
        const caseId = caseIdFor(s.contentId);
        // The case as triage builds it: the first report's copy (with where it came from), the reporters' types, the rule hits.
        const c: CaseRecord = {
          id: caseId,
          contentId: s.contentId,
          status: 'decided',
          lane: 'default',
          priority: 300,
          category: s.body.category,
          content: { ...first.content, source: s.source, ...(s.dateFrom === 'case' ? { createdAt: postDate.toISOString() } : {}) },
          reportCount: reports.length,
          reporterTypes: [...new Set(reports.map((r) => r.reporter.type))],
          ruleHits: s.ruleHits.map((h) => ({ ...h, start: 0, end: 1, rulesetVersion: 1 })),
          firstReportedAt: first.receivedAt,
          lastReportedAt: first.receivedAt,
          rev: 1,
        };
        // The decision as the API records it, or as triage records an automatic removal.
        const body = s.body;
        const decision: DecisionRecord = s.automated
          ? {
              id: newId('d'),
              caseId,
              contentId: s.contentId,
              action: 'remove',
              category: body.category,
              legalGround: defaultGround(body.category, groundKindOf({ category: body.category })).ground,
              note: 'auto_remove rule r (ruleset v1)',
              decidedBy: 'system:triage',
              decidedAt: s.decidedAt.toISOString(),
              automated: true,
            }
          : {
              id: newId('d'),
              caseId,
              contentId: s.contentId,
              action: body.action,
              category: body.category,
              legalGround: body.legalGround,
              ...(body.countries ? { countries: body.countries } : {}),
              ...(body.ground ? { ground: body.ground } : {}),
              ...(body.explanation ? { explanation: body.explanation } : {}),
              ...(body.alsoIllegal !== undefined ? { alsoIllegal: body.alsoIllegal } : {}),
              decidedBy: 'moderator-1',
              decidedAt: s.decidedAt.toISOString(),
              automated: false,
            };
        // The post's own date is known: from the platform's index, or from the case's trusted copy.
        const trusted = s.source === 'platform' || s.source === 'detector';
        const platform = s.dateFrom === 'platform' || !trusted ? { ...extraFacts, createdAt: postDate.toISOString() } : undefined;
        const input: StatementInput = {
          case: c,
          decision,
          reports,
          reportsComplete,
          ...(s.previousAutomated !== undefined ? { previous: { automated: s.previousAutomated, action: 'remove' as const } } : {}),
          ...(s.appealedAutomated !== undefined ? { appealed: { automated: s.appealedAutomated } } : {}),
          ...(platform ? { platform } : {}),
        };
        const built = buildStatement(input);
        if (!built.owed) {
          const eea = new Set<string>(EEA_COUNTRIES);
          if (built.reason === 'outside_eea') expect(decision.action === 'restrict' && !(decision.countries ?? []).some((x) => eea.has(x))).toBe(true);
          else expect(['keep', 'escalate']).toContain(decision.action);
          return;
        }
        expect(built.problems).toEqual([]);
        expect(validateStatement(built.statement)).toEqual([]);
        // Internal ids never appear outside the puid.
        const { puid, ...rest } = built.statement;
        expect(puid).toBe(decision.id);
        expect(JSON.stringify(rest)).not.toContain(decision.id);
        expect(JSON.stringify(rest)).not.toContain(caseId);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the decision body: ground, explanation, alsoIllegal', () => {
  const base = { leaseToken: 'lease', action: 'remove', category: 'drugs', legalGround: 'Narcotics law' };
  const fieldOf = (body: unknown): string | undefined => {
    try {
      validateDecisionBody(body);
      return undefined;
    } catch (err) {
      return (err as { field?: string }).field;
    }
  };

  it('takes either ground, an explanation, and alsoIllegal with a terms ground', () => {
    expect(fieldOf({ ...base, ground: 'illegal_content', explanation: 'Offers cocaine for sale.' })).toBeUndefined();
    expect(fieldOf({ ...base, ground: 'terms_and_conditions', alsoIllegal: true })).toBeUndefined();
    expect(fieldOf({ ...base, category: 'other', ground: 'terms_and_conditions', alsoIllegal: false })).toBeUndefined();
    expect(fieldOf({ ...base, category: 'other' })).toBeUndefined();
  });

  it('refuses what no statement could carry, naming the field', () => {
    expect(fieldOf({ ...base, category: 'other', ground: 'illegal_content' })).toBe('/ground');
    expect(fieldOf({ ...base, alsoIllegal: true })).toBe('/ground');
    expect(fieldOf({ ...base, ground: 'illegal_content', alsoIllegal: true })).toBe('/ground');
    expect(fieldOf({ ...base, ground: 'legal' })).toBe('/ground');
    expect(fieldOf({ ...base, legalGround: ' \n\t ' })).toBe('/legalGround');
    expect(fieldOf({ ...base, explanation: '    ' })).toBe('/explanation');
    // The database's TrimStrings trims U+200B, U+200E and U+FEFF too: such a text arrives empty.
    expect(fieldOf({ ...base, legalGround: '\u200B\u200E\uFEFF' })).toBe('/legalGround');
    // The builder collapses control characters and separators to space: a text of only those has no ground to publish.
    expect(fieldOf({ ...base, legalGround: '\u0000\u0000\u0000' })).toBe('/legalGround');
    expect(fieldOf({ ...base, explanation: '\u0085\u2028\u001f' })).toBe('/explanation');
    expect(fieldOf({ ...base, legalGround: '\u0000§ 1\u0000' })).toBeUndefined();
    expect(fieldOf({ ...base, explanation: 'x'.repeat(2001) })).toBe('/explanation');
  });
});
