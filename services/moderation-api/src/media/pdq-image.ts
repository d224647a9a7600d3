import sharp from 'sharp';
import { pdqOfPixels, type PdqOfPixels, type PdqPixels } from '@takedown/search-rules';

/** Refuses decompression bombs: more pixels than this is not a photo we hash. */
const MAX_INPUT_PIXELS = 100_000_000;
/**
 * The reference hasher first shrinks images to fit 512×512 (Pillow's
 * thumbnail): the Jarosz filter then runs on at most 262,144 pixels, and
 * the 64×64 sample it feeds barely changes. Bicubic, as Pillow's default.
 */
const HASH_EDGE = 512;

export interface ImagePdq {
  /** 64 hex digits. */
  pdq: string;
  quality: number;
  width: number;
  height: number;
}

/**
 * Decodes image bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF: whatever sharp
 * reads) and computes PDQ. The EXIF orientation is applied first, so the
 * hash is of the picture as shown; alpha is dropped (not composited), as
 * the reference drops it, so hashes agree with other PDQ implementations.
 * Throws on undecodable input. `hash` computes the hash from the decoded
 * pixels (in the API, a worker thread).
 */
export async function pdqOfImage(bytes: Uint8Array, hash: (p: PdqPixels) => Promise<PdqOfPixels> | PdqOfPixels = pdqOfPixels): Promise<ImagePdq> {
  const pixels = await decodeForPdq(bytes);
  const { pdq, quality } = await hash(pixels);
  return { pdq, quality, width: pixels.width, height: pixels.height };
}

/**
 * Decodes and fits the image (libvips, off the event loop in libuv's pool).
 * Throws on undecodable input.
 */
export async function decodeForPdq(bytes: Uint8Array): Promise<PdqPixels> {
  const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false }).rotate();
  const { data, info } = await image
    .resize(HASH_EDGE, HASH_EDGE, { fit: 'inside', withoutEnlargement: true, kernel: 'cubic' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}
