import fc from 'fast-check';
import { lumaFromPixels, pdqFromLuma } from './pdq-hash';
import { pdqDistance, pdqFromHex, pdqHexDistance, pdqToHex, popcount32 } from './pdq-hex';

describe('pdq hex and Hamming distance', () => {
  test('hex round-trips; word 15 is written first', () => {
    const hex = '0007001f003f003f007f00ff00ff00ff01ff01ff01ff03ff03ff03ff03ff03ff';
    const h = pdqFromHex(hex);
    expect(h[15]).toBe(0x0007);
    expect(h[0]).toBe(0x03ff);
    expect(pdqToHex(h)).toBe(hex);
    expect(pdqToHex(pdqFromHex(hex.toUpperCase()))).toBe(hex);
  });

  test('malformed hex is refused', () => {
    expect(() => pdqFromHex('00')).toThrow(RangeError);
    expect(() => pdqFromHex('g'.repeat(64))).toThrow(RangeError);
  });

  test('distance is the popcount of the xor', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (x, y) => {
        const a = new Uint16Array(x.buffer.slice(0));
        const b = new Uint16Array(y.buffer.slice(0));
        let naive = 0;
        for (let i = 0; i < 32; i++) for (let bit = 0; bit < 8; bit++) naive += (((x[i] as number) ^ (y[i] as number)) >> bit) & 1;
        expect(pdqDistance(a, b)).toBe(naive);
        expect(pdqHexDistance(pdqToHex(a), pdqToHex(b))).toBe(naive);
      }),
    );
    expect(popcount32(0xffffffff)).toBe(32);
  });
});

describe('pdqFromLuma', () => {
  test('a flat image has quality 0; a textured one sets exactly 128 bits', () => {
    const flat = pdqFromLuma(new Float32Array(100 * 100).fill(128), 100, 100);
    expect(flat.quality).toBe(0);
    const w = 200;
    const h = 150;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.fill(((x * 7) ^ (y * 13)) & 255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const r = pdqFromLuma(lumaFromPixels(rgb, w, h, 3), h, w);
    expect(r.quality).toBeGreaterThan(50);
    expect(pdqDistance(r.hash, new Uint16Array(16))).toBe(128);
  });

  test('tiny images (smaller than 64×64) still hash', () => {
    const r = pdqFromLuma(Float32Array.from({ length: 5 * 7 }, (_, i) => (i * 37) % 255), 5, 7);
    expect(pdqToHex(r.hash)).toMatch(/^[0-9a-f]{64}$/);
  });
});
