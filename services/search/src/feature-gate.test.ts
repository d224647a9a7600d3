import { readsGatedField } from './feature-gate';
import { geoFieldView } from './geo-field-resolver';

describe('readsGatedField: does a geo clause read a gated field?', () => {
  const view = geoFieldView({
    c: {
      mappings: {
        runtime: { near: { type: 'geo_point' } },
        properties: { location: { type: 'geo_point', copy_to: ['spot'] }, spot: { type: 'geo_point' }, pos: { type: 'alias', path: 'location' }, venue: { type: 'geo_point' } },
      },
    },
  });
  const gated = new Set(['location']);
  const on = (field: string) => readsGatedField(gated, { kind: 'geo_distance', field }, view);

  it('as written, through an alias and through copy_to', () => {
    expect([on('location'), on('pos'), on('spot')]).toEqual([true, true, true]);
  });

  it('a runtime field of the mapping counts as reading it: its script may compute points from any field', () => {
    expect(on('near')).toBe(true);
  });

  it('an unrelated geo field does not', () => {
    expect(on('venue')).toBe(false);
    expect(readsGatedField(new Set(), { kind: 'geo_distance', field: 'near' }, view)).toBe(false);
  });
});
