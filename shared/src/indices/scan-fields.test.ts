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
    expect(scanFieldsOf({ text: 'hi', lang: 'en', media: [{ sha256: 'nope' }, null, 'x'], 'media.sha256': 42 })).toEqual({ text: 'hi', lang: 'en', mediaSha256: [], mediaPdq: [] });
    expect(scanFieldsOf({ text: ['a'], lang: 7 })).toEqual({ mediaSha256: [], mediaPdq: [] });
  });

  it('reads PDQ hashes beside sha256, in every spelling, lower-cased', () => {
    const P = 'd8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22';
    const Q = '38a50efd71c83f429013d68d0ffffc52e34e0e15ada952a9d29684214aa9e5af';
    expect(scanFieldsOf({ media: [{ sha256: H, pdq: P.toUpperCase() }], 'media.pdq': [Q, 'short'] })).toEqual({ mediaSha256: [H], mediaPdq: [P, Q] });
  });
});
