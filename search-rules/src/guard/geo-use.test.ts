import { guardSearch } from './walk';

const near = (field: string) => ({ geo_distance: { distance: '1km', [field]: { lat: 1, lon: 2 }, ignore_unmapped: true, _name: 'n' } });

describe('guard: geo constructs read out for feature switches', () => {
  it('reports each geo query, aggregation and sort with its field and path', () => {
    const { geo } = guardSearch({
      query: { bool: { must: [{ match: { text: 'x' } }], filter: [near('user.location')] } },
      aggs: { g: { geohash_grid: { field: 'location' }, aggs: { c: { geo_centroid: { field: 'location' } } } } },
      sort: [{ _geo_distance: { location: [2, 1], order: 'asc', unit: 'km' } }],
    });
    expect(geo).toEqual([
      { kind: 'geo_distance', field: 'user.location', at: '/query/bool/filter/0/geo_distance' },
      { kind: 'geohash_grid', field: 'location', at: '/aggs/g/geohash_grid' },
      { kind: 'geo_centroid', field: 'location', at: '/aggs/g/aggs/c/geo_centroid' },
      { kind: '_geo_distance', field: 'location', at: '/sort/0/_geo_distance' },
    ]);
  });

  it('reports nothing for a body without geo constructs, and options are never taken for fields', () => {
    expect(guardSearch({ query: { match: { text: 'near me' } }, sort: ['createdAt'] }).geo).toEqual([]);
    const { geo } = guardSearch({ query: { geo_bounding_box: { location: { top_left: [0, 1], bottom_right: [1, 0] }, validation_method: 'STRICT', boost: 2 } } });
    expect(geo.map((g) => g.field)).toEqual(['location']);
  });

  it('reads a field named like another geo query type\'s option (per-type option lists)', () => {
    const box = { top_left: [0, 1], bottom_right: [1, 0] };
    for (const name of ['distance', 'distance_type']) {
      expect(guardSearch({ query: { geo_bounding_box: { [name]: box } } }).geo.map((g) => g.field)).toEqual([name]);
    }
    expect(guardSearch({ query: { geo_polygon: { type: { points: [[0, 0], [1, 1], [1, 0]] } } } }).geo.map((g) => g.field)).toEqual(['type']);
    expect(guardSearch({ query: { geo_distance: { type: { lat: 1, lon: 2 }, distance: '1km' } } }).geo.map((g) => g.field)).toEqual(['type']);
  });
});
