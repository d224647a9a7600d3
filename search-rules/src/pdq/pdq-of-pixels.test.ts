import { lumaFromPixels, pdqFromLuma } from './pdq-hash';
import { pdqToHex } from './pdq-hex';
import { pdqOfPixels } from './pdq-of-pixels';

describe('pdqOfPixels', () => {
  const width = 64;
  const height = 48;
  // A diagonal gradient with a bright block: enough structure for a quality above zero.
  const pixels = new Uint8Array(width * height * 3).map((_, i) => {
    const px = Math.floor(i / 3);
    const x = px % width;
    const y = Math.floor(px / width);
    return x > 20 && x < 40 && y > 10 && y < 30 ? 250 : (x * 3 + y * 2) & 255;
  });

  it('is the hex of the hash computed from the luma of the same pixels', () => {
    const { hash, quality } = pdqFromLuma(lumaFromPixels(pixels, width, height, 3), height, width);
    expect(pdqOfPixels({ pixels, width, height, channels: 3 })).toEqual({ pdq: pdqToHex(hash), quality });
  });

  it('refuses pixel buffers that do not match their stated size, and fewer than three channels', () => {
    expect(() => pdqOfPixels({ pixels, width: width + 1, height, channels: 3 })).toThrow(RangeError);
    expect(() => pdqOfPixels({ pixels, width, height: 0, channels: 3 })).toThrow(RangeError);
    expect(() => pdqOfPixels({ pixels: new Uint8Array(width * height), width, height, channels: 1 })).toThrow(RangeError);
  });
});
