import { geoFieldView } from './geo-field-resolver';

describe('geoFieldView: what a field name reads, per the mapping', () => {
  const view = geoFieldView({
    'content-a': { mappings: { properties: { location: { type: 'geo_point', copy_to: ['spot'] }, spot: { type: 'geo_point', fields: { raw: { type: 'keyword' } } }, pos: { type: 'alias', path: 'location' }, user: { properties: { location: { type: 'geo_point' }, here: { type: 'alias', path: 'user.location' } } } } } },
    // A second concrete index behind the same alias: its aliases count too.
    'content-b': { mappings: { properties: { loc: { type: 'alias', path: 'location' } } } },
  });

  it('resolves aliases (also nested, across indices), copy_to and multi-fields', () => {
    expect([...view.sources('pos')].sort()).toEqual(['location', 'pos']);
    expect(view.sources('user.here').has('user.location')).toBe(true);
    expect(view.sources('loc').has('location')).toBe(true);
    expect(view.sources('spot').has('location')).toBe(true);
    expect(view.sources('spot.raw').has('location')).toBe(true);
    expect([...view.sources('text')]).toEqual(['text']);
    expect([...view.targets('pos')].sort()).toEqual(['location', 'pos']);
  });

  it('knows runtime fields of the mapping (their scripts may read any field), also through an alias', () => {
    const v = geoFieldView({ c: { mappings: { runtime: { near: { type: 'geo_point', script: { source: "emit(doc['location'].lat, doc['location'].lon)" } } }, properties: { n: { type: 'alias', path: 'near' }, location: { type: 'geo_point' } } } } });
    expect([v.isRuntime('near'), v.isRuntime('n'), v.isRuntime('location')]).toEqual([true, true, false]);
    expect(view.isRuntime('pos')).toBe(false);
  });

  it('refuses a mapping past its bounds rather than guess', () => {
    let deep: Record<string, unknown> = { type: 'geo_point' };
    for (let i = 0; i < 40; i++) deep = { properties: { a: deep } };
    expect(() => geoFieldView({ x: { mappings: { properties: { a: deep } } } })).toThrow(/too deep/);
  });
});
