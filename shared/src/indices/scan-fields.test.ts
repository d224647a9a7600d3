import { scanFieldsOf } from './scan-fields';

const H = 'ab'.repeat(32);
const G = 'cd'.repeat(32);

describe('scanFieldsOf', () => {
  it('reads a hash however Elasticsearch would index it, lower-cased and deduplicated', () => {
    expect(scanFieldsOf({ media: [{ sha256: H }, { sha256: G.toUpperCase() }] }).mediaSha256).toEqual([H, G]);
    expect(scanFieldsOf({ media: { sha256: H } }).mediaSha256).toEqual([H]);
    expect(scanFieldsOf({ 'media.sha256': H.toUpperCase() }).mediaSha256).toEqual([H]);
    expect(scanFieldsOf({ media: [{ kind: 'image' }], 'media.sha256': [G, H] }).mediaSha256).toEqual([G, H]);
    expect(scanFieldsOf({ media: [{ sha256: H }], 'media.sha256': H }).mediaSha256).toEqual([H]);
  });

  it('keeps only what is text, a language and 64 hex digits', () => {
    expect(scanFieldsOf({ text: 'hi', lang: 'en', media: [{ sha256: 'nope' }, null, 'x'], 'media.sha256': 42 })).toEqual({ text: 'hi', lang: 'en', mediaSha256: [] });
    expect(scanFieldsOf({ text: ['a'], lang: 7 })).toEqual({ mediaSha256: [] });
  });
});
