import type { Rule } from '../rule';
import { diffRules } from './diff';
import * as testing from '../testing/rules-fixture';
import { RuleImportError, parseRuleImport, rulesToCsv } from './import-rules';
import { parseCsv } from '@takedown/shared';

const defaults = { createdBy: 'lead:alice', createdAt: '2026-11-29T00:00:00.000Z' };
const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleImportError) return err.problems;
    throw err;
  }
  throw new Error('expected a RuleImportError');
};

describe('rule import', () => {
  const csv = [
    'id,kind,pattern,category,scope,action,locales,shadow,note',
    'r1,term,cocaine,drugs,query,block_query,,,',
    'r2,phrase,"buy meth, now",drugs,query|content,exclude,en|ru,false,"a ""quoted"" note"',
    'r3,term,fentanyl,drugs,content,flag_for_review,,true,',
  ].join('\n');

  it('parses CSV rows into validated rules with defaults', () => {
    const rules = parseRuleImport(csv, 'csv', defaults);
    expect(rules.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(rules[1]).toMatchObject({ kind: 'phrase', pattern: 'buy meth, now', scope: ['query', 'content'], locales: ['en', 'ru'], shadow: false, note: 'a "quoted" note', createdBy: 'lead:alice' });
    expect(rules[2]!.shadow).toBe(true);
  });

  it('refuses the whole file and names the line and field of every bad row', () => {
    const bad = `${csv}\nr4,term,heroin,drugz,query,block_query,,,\nr5,regex,(c)\\1e,drugs,query,block_query,,,\nr1,term,again,drugs,query,block_query,,,\nr6,term,x\n`;
    const problems = problemsOf(() => parseRuleImport(bad, 'csv', defaults));
    expect(problems).toEqual([
      { line: 5, field: 'category', message: expect.stringContaining('category') },
      { line: 6, field: 'pattern', message: expect.stringContaining('backreferences') },
      { line: 7, field: 'id', message: 'duplicate id r1 (first at line 2)' },
      { line: 8, message: '3 fields, the header has 9' },
    ]);
  });

  it('refuses unknown columns and a term that is two words', () => {
    expect(problemsOf(() => parseRuleImport('id,kind,colour\n', 'csv', defaults))[0]).toMatchObject({ line: 1, field: 'colour' });
    expect(problemsOf(() => parseRuleImport('id,kind,pattern,category,scope,action\nr1,term,two words,drugs,query,block_query\n', 'csv', defaults))[0]).toMatchObject({ line: 2, field: 'pattern' });
  });

  it('takes JSON arrays and { rules } objects, naming the index of bad rules', () => {
    const ok = parseRuleImport(JSON.stringify({ rules: [{ id: 'j1', kind: 'term', pattern: 'mdma', category: 'drugs', scope: ['query'], action: 'block_query' }] }), 'json', defaults);
    expect(ok[0]).toMatchObject({ id: 'j1', createdBy: 'lead:alice' });
    const problems = problemsOf(() => parseRuleImport(JSON.stringify([{ id: 'j1', kind: 'term', pattern: 'mdma', category: 'drugs', scope: ['query'], action: 'block_query' }, { id: 'j2', kind: 'term', pattern: 'x', category: 'drugs', scope: ['nowhere'], action: 'block_query' }]), 'json', defaults));
    expect(problems).toEqual([{ index: 1, field: 'scope', message: expect.any(String) }]);
    expect(problemsOf(() => parseRuleImport('{nope', 'json', defaults))[0]!.message).toMatch(/not valid JSON/);
  });

  it('round-trips through CSV export', () => {
    const rules = parseRuleImport(csv, 'csv', defaults);
    expect(parseRuleImport(rulesToCsv(rules), 'csv', defaults)).toEqual(rules);
  });

  it('parses quoted newlines and CRLF, keeping the starting line of each row', () => {
    const rows = parseCsv('a,b\r\n"x\ny",z\r\nlast,row');
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b'], quoted: [false, false] },
      { line: 2, cells: ['x\ny', 'z'], quoted: [true, false] },
      { line: 4, cells: ['last', 'row'], quoted: [false, false] },
    ]);
  });
});

describe('diffRules', () => {
  it('lists added, removed and changed rules with the changed fields', () => {
    const base = parseRuleImport('id,kind,pattern,category,scope,action\na,term,x,drugs,query,block_query\nb,term,y,drugs,query,block_query\n', 'csv', defaults);
    const next = parseRuleImport('id,kind,pattern,category,scope,action,shadow\na,term,x,drugs,query,block_query,true\nc,term,z,fraud,query,block_query,\n', 'csv', defaults);
    expect(diffRules(base, next)).toEqual({ added: ['c'], removed: ['b'], changed: [{ id: 'a', fields: ['shadow'] }] });
  });
});

describe('planBackfill', () => {
  const { planBackfill } = jest.requireActual<typeof import('./backfill-plan')>('./backfill-plan');
  const rules = (csv: string) => parseRuleImport(`id,kind,pattern,category,scope,action,shadow\n${csv}`, 'csv', defaults);

  it('applies new and changed content rules, clears removed and changed ones, and leaves query-only and shadow rules alone', () => {
    const prev = rules('a,term,x,drugs,content,exclude,\nb,term,y,drugs,content,demote,\nc,term,z,drugs,query,block_query,\nd,term,w,drugs,content,exclude,\n');
    const next = rules('a,term,x,drugs,content,exclude,\nb,term,yy,drugs,content,demote,\nc,term,zz,drugs,query,block_query,\ne,term,v,drugs,content,flag_for_review,\nf,term,u,drugs,content,exclude,true\n');
    // flag_for_review demotes (or hides) the post until reviewed, so the search filters with it meanwhile too.
    expect(planBackfill(prev, next)).toEqual({ apply: ['b', 'e'], clear: ['b', 'd'], pendingForSearch: ['b', 'e'], fullScan: [], mediaScan: [] });
  });

  it('re-applies rules an unfinished backfill may have half-tagged, even when unchanged since the last finished one', () => {
    const prev = rules('a,term,x,drugs,content,exclude,\nb,term,y,drugs,content,demote,\n');
    const next = rules('a,term,x,drugs,content,exclude,\n');
    // "b" was removed; "a" and "gone" were in a backfill that never finished ("gone" was added then dropped).
    expect(planBackfill(prev, next, ['a', 'gone'])).toEqual({ apply: ['a'], clear: ['a', 'b', 'gone'], pendingForSearch: ['a'], fullScan: [], mediaScan: [] });
  });

  it('re-tags when a change alters what the rule does to a post (until reviewed, countries, expiry)', () => {
    const prev = rules('a,term,x,drugs,content,flag_for_review,\n');
    for (const change of [{ untilReviewed: 'exclude' as const }, { countries: ['DE'] }, { expiresAt: '2030-01-01T00:00:00.000Z' }]) {
      expect(planBackfill(prev, [{ ...prev[0]!, ...change }])).toEqual({ apply: ['a'], clear: ['a'], pendingForSearch: ['a'], fullScan: [], mediaScan: [] });
    }
  });

  it('asks for a scan of hashed media when pdq hashes are added or change threshold, not for exact-only (threshold 0) or removed ones', () => {
    const pdq = (id: string, hex: string, threshold?: number): Rule => ({
      id, kind: 'pdq', pattern: hex, category: 'csam', scope: ['content'], action: 'auto_remove', quality: 100,
      hashList: { name: 'l', source: 's', ...(threshold !== undefined ? { threshold } : {}) }, createdBy: 'lead', createdAt: '2026-11-30T00:00:00.000Z',
    });
    const h = (c: string) => c.repeat(64);
    const prev = [pdq('p1', h('a')), pdq('p2', h('b')), pdq('p3', h('c'))];
    const next = [pdq('p1', h('a')), pdq('p2', h('b'), 20), pdq('p4', h('d')), pdq('p5', h('e'), 0)];
    const plan = planBackfill(prev, next);
    // p2's threshold changed, p4 is new (default threshold); p5 is new but exact-only; p3 removed (its tags are cleared by query).
    expect([...plan.mediaScan].sort()).toEqual(['p2', 'p4']);
    expect([...plan.apply].sort()).toEqual(['p2', 'p4', 'p5']);
    expect([...plan.clear].sort()).toEqual(['p2', 'p3']);
    expect(plan.fullScan).toEqual([]);
  });

  it('asks for a full scan when a live regex content rule is added, changed, removed, disabled or made shadow, and not for query-only or shadow ones', () => {
    const prev = rules('r1,regex,x\\d+,drugs,content,exclude,\nr2,regex,y\\d+,drugs,content,exclude,\nr3,regex,z\\d+,drugs,content,exclude,\nr4,regex,w\\d+,drugs,content,exclude,\nq1,regex,q\\d+,drugs,query,block_query,\n');
    const next = rules('r1,regex,x\\d+,drugs,content,exclude,\nr2,regex,yy\\d+,drugs,content,exclude,\nr4,regex,w\\d+,drugs,content,exclude,true\nq1,regex,qq\\d+,drugs,query,block_query,\nn1,regex,n\\d+,drugs,content,flag_for_review,\ns1,regex,s\\d+,drugs,content,exclude,true\n');
    const plan = planBackfill(prev, next);
    // r2 changed, r3 removed, r4 made shadow, n1 added; r1 unchanged; q1 is query-only; s1 is shadow.
    expect([...plan.fullScan].sort()).toEqual(['n1', 'r2', 'r3', 'r4']);
    // No query finds a regex rule's matches: nothing for the apply and clear passes.
    expect(plan.apply).toEqual([]);
    expect(plan.clear).toEqual([]);
  });
});

describe('CSV a spreadsheet will not run', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '=HYPERLINK("http://x","y")'])('neutralises %j on export and reads it back as it was', (note) => {
    const [rule] = parseRuleImport(JSON.stringify([{ id: 'n1', kind: 'term', pattern: 'word', category: 'other', scope: ['query'], action: 'block_query', note }]), 'json', defaults);
    const csv = rulesToCsv([rule!]);
    const cell = parseCsv(csv)[1]!.cells[12]!;
    expect(cell.startsWith("'")).toBe(true);
    expect(parseRuleImport(csv, 'csv', defaults)[0]!.note).toBe(note);
  });

  it('takes provenance from the importer, not from the file', () => {
    const [rule] = parseRuleImport(JSON.stringify([{ id: 'p1', kind: 'term', pattern: 'word', category: 'other', scope: ['query'], action: 'block_query', createdBy: 'someone:else', createdAt: '2000-01-01T00:00:00.000Z' }]), 'json', defaults);
    expect([rule!.createdBy, rule!.createdAt]).toEqual([defaults.createdBy, defaults.createdAt]);
  });
});

describe('CSV export and import round trip', () => {
  it.each(['  padded note  ', "\u3000'=1", "\u3000'\r-=", '=HYPERLINK("http://x")', "'=already"])('gives back the note %j exactly', (note) => {
    const rule = { ...testing.rule('r1', 'cocaine', { scope: ['content'], action: 'flag_for_review' }), note };
    expect(parseRuleImport(rulesToCsv([rule]), 'csv', defaults)[0]?.note).toBe(note);
  });
});
