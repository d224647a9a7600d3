import { AGGREGATIONS, QUERIES, REFUSED_AGGREGATIONS, REFUSED_QUERIES, TOP_LEVEL, guardSearchBody, SearchGuardError, type Spec } from './index';

/** A value no option accepts: an object naming an unknown option (refused by every spec but `literal`). */
const WRONG = { __not_an_option__: { deeper: [1] } };

function refusedAt(body: unknown): string | undefined {
  try {
    guardSearchBody(body);
    return undefined;
  } catch (e) {
    if (e instanceof SearchGuardError) return e.field;
    throw e;
  }
}

const acceptsAnything = (spec: Spec): boolean =>
  spec.t === 'literal' || (spec.t === 'any' && spec.of.some(acceptsAnything)) || ((spec.t === 'map' || spec.t === 'arr' || spec.t === 'list') && acceptsAnything(spec.t === 'map' ? spec.value : spec.of));

/** Every option of an object spec, one at a time, given a wrong value. */
function optionCases(spec: Spec): [string, Spec][] {
  if (spec.t !== 'obj') return [];
  return Object.entries(spec.keys).filter(([, s]) => !acceptsAnything(s));
}

describe('every rule of the grammar table', () => {
  it('documents why each allowed entry is safe', () => {
    for (const table of [QUERIES, AGGREGATIONS, TOP_LEVEL] as const) {
      for (const [name, entry] of Object.entries(table)) expect([name, entry.why.length > 3]).toEqual([name, true]);
    }
  });

  it.each(Object.keys(REFUSED_QUERIES))('refuses the query type %s at its path', (type) => {
    expect(refusedAt({ query: { [type]: {} } })).toBe(`/query/${type}`);
  });

  it.each(Object.keys(REFUSED_AGGREGATIONS))('refuses the aggregation %s at its path', (type) => {
    expect(refusedAt({ aggs: { a: { [type]: {} } } })).toBe(`/aggs/a/${type}`);
  });

  const queryOptions = Object.entries(QUERIES).flatMap(([type, e]) => optionCases(e.spec).map(([k]) => [type, k] as const));
  it.each(queryOptions)('query %s refuses a wrong %s at its path', (type, key) => {
    expect(refusedAt({ query: { [type]: { [key]: WRONG } } })).toMatch(new RegExp(`^/query/${type}/${key}(/|$)`));
  });

  const aggOptions = Object.entries(AGGREGATIONS).flatMap(([type, e]) => optionCases(e.spec).map(([k]) => [type, k] as const));
  it.each(aggOptions)('aggregation %s refuses a wrong %s at its path', (type, key) => {
    expect(refusedAt({ aggs: { a: { [type]: { [key]: WRONG } } } })).toMatch(new RegExp(`^/aggs/a/${type}/${key}(/|$)`));
  });

  it.each(Object.keys(TOP_LEVEL).filter((k) => !acceptsAnything(TOP_LEVEL[k]!.spec)))('top-level %s refuses a wrong value at its path', (key) => {
    expect(refusedAt({ [key]: WRONG })).toMatch(new RegExp(`^/${key}(/|$)`));
  });

  it('refuses an unknown option on every object-shaped query and aggregation', () => {
    for (const [type, e] of Object.entries(QUERIES)) if (e.spec.t === 'obj') expect([type, refusedAt({ query: { [type]: { sneaky: 1 } } })]).toEqual([type, `/query/${type}/sneaky`]);
    for (const [type, e] of Object.entries(AGGREGATIONS)) if (e.spec.t === 'obj') expect([type, refusedAt({ aggs: { a: { [type]: { sneaky: 1 } } } })]).toEqual([type, `/aggs/a/${type}/sneaky`]);
  });
});
