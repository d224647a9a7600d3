import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { pdqHexDistance } from '@takedown/search-rules';
import { pdqOfImage } from './pdq-image';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/pdq');
const vectors = fs
  .readFileSync(path.join(FIXTURES, 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t') as [string, string]);

describe('pdqOfImage against the ThreatExchange reference vectors', () => {
  test.each(vectors)('%s is within the reference tolerance', async (file, expected) => {
    const got = await pdqOfImage(fs.readFileSync(path.join(FIXTURES, file)));
    const d = pdqHexDistance(got.pdq, expected);
    // The reference test allows 16; PDQ's README asks for ≤ 10 where quality ≥ 80.
    expect(d).toBeLessThanOrEqual(got.quality >= 80 ? 10 : 16);
    expect(got.pdq).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a resized, recompressed copy stays close; an unrelated image does not', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, 'bridge-1-original.jpg'));
    const copy = await sharp(original).resize(700).jpeg({ quality: 55 }).toBuffer();
    const [a, b, other] = await Promise.all([pdqOfImage(original), pdqOfImage(copy), pdqOfImage(fs.readFileSync(path.join(FIXTURES, 'q1050.jpg')))]);
    expect(pdqHexDistance(a.pdq, b.pdq)).toBeLessThanOrEqual(16);
    expect(pdqHexDistance(a.pdq, other.pdq)).toBeGreaterThan(31);
  });

  test('EXIF orientation is applied before hashing', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, 'q1050.jpg'));
    // Pixels stored rotated 90° anticlockwise, with EXIF 6 ("rotate 90° clockwise to display").
    const stored = await sharp(original).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const [a, b] = await Promise.all([pdqOfImage(original), pdqOfImage(stored)]);
    expect(pdqHexDistance(a.pdq, b.pdq)).toBeLessThanOrEqual(16);
  });

  test('alpha is dropped, not hashed as a fourth channel', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, 'q1050.jpg'));
    const withAlpha = await sharp(original).ensureAlpha(0.5).png().toBuffer();
    const [a, b] = await Promise.all([pdqOfImage(original), pdqOfImage(withAlpha)]);
    expect(pdqHexDistance(a.pdq, b.pdq)).toBeLessThanOrEqual(4);
  });

  test('bytes that are not an image are refused', async () => {
    await expect(pdqOfImage(Buffer.from('not an image'))).rejects.toThrow();
  });
});
