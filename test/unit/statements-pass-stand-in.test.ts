import {
  CATEGORIES,
  DECISION_GROUND_KINDS,
  REPORTER_TYPES,
  buildStatement,
  type CaseRecord,
  type DecisionRecord,
  type PlatformFacts,
  type StatementInput,
} from '@takedown/shared';
import { validateTdbStatement } from '../support/tdb-rules';

/**
 * Our mapper against the stand-in's rule table (test/support/tdb-rules.ts),
 * which was written from the database's own validation code independently
 * of shared/src/dsa: a statement our validator passes must also pass the
 * database's rules, and keep every field (a field the database would drop
 * silently means we sent something we meant and it never arrived).
 */
const baseCase: CaseRecord = {
  id: 'c_x1',
  contentId: 'post-1',
  status: 'decided',
  lane: 'default',
  priority: 100,
  category: 'drugs',
  content: { id: 'post-1', type: 'post', text: 'text', authorId: 'author-1', source: 'platform' },
  reportCount: 1,
  reporterTypes: ['user'],
  ruleHits: [],
  firstReportedAt: '2026-11-02T10:00:00.000Z',
  lastReportedAt: '2026-11-02T10:00:00.000Z',
  rev: 1,
};

const MEDIA: readonly (readonly string[])[] = [[], ['image'], ['video', 'image'], ['audio'], ['sticker']];
const LANGS: readonly (string | undefined)[] = [undefined, 'en', 'und', 'fil', 'de-AT', 'pt_BR', 'zh-Hant'];

describe('statements our mapper builds pass the stand-in database rules and lose no field', () => {
  const rows: [string, string, string, string, boolean][] = [];
  for (const action of ['remove', 'restrict', 'label']) {
    for (const category of CATEGORIES) {
      for (const source of REPORTER_TYPES) {
        for (const ground of [...DECISION_GROUND_KINDS, 'default']) for (const automated of [false, true]) rows.push([action, category, source, ground, automated]);
      }
    }
  }

  it.each(rows)('%s × %s × %s × ground %s × automated %s', (action, category, source, ground, automated) => {
    if (category === 'other' && ground === 'illegal_content') return; // the API refuses it
    const i = rows.findIndex((r) => r[0] === action && r[1] === category && r[2] === source && r[3] === ground && r[4] === automated);
    const decision: DecisionRecord = {
      id: `d_${i}`,
      caseId: 'c_x1',
      contentId: 'post-1',
      action: action as DecisionRecord['action'],
      category: category as DecisionRecord['category'],
      legalGround: 'Art. 5 of the example statute',
      ...(action === 'restrict' ? { countries: ['DE', 'AT', 'US'] } : {}),
      ...(ground === 'default' ? {} : { ground: ground as (typeof DECISION_GROUND_KINDS)[number] }),
      ...(ground === 'terms_and_conditions' ? { alsoIllegal: i % 2 === 0 } : {}),
      decidedBy: automated ? 'system:triage' : 'moderator-1',
      decidedAt: '2026-11-03T09:00:00.000Z',
      automated,
    };
    const lang = LANGS[i % LANGS.length];
    const platform: PlatformFacts = { createdAt: '2026-10-30T08:00:00.000Z', ...(lang ? { lang } : {}), hasText: i % 3 !== 0, mediaKinds: [...(MEDIA[i % MEDIA.length] ?? [])] };
    const input: StatementInput = {
      case: { ...baseCase, category: decision.category, reporterTypes: [source as CaseRecord['reporterTypes'][number]] },
      decision,
      reports: [{ receivedAt: '2026-11-02T10:00:00.000Z', reporter: { type: source as CaseRecord['reporterTypes'][number], name: 'Example Flaggers e.V.', memberState: 'DE' } }],
      reportsComplete: true,
      platform,
    };
    const built = buildStatement(input);
    if (!built.owed) throw new Error(`${action} owes a statement (${built.reason})`);
    expect(built.problems).toEqual([]);
    const { errors, kept } = validateTdbStatement(built.statement);
    expect(errors).toEqual({});
    expect(Object.keys(kept).sort()).toEqual(Object.keys(built.statement).sort());
  });
});
