import { Router } from 'express';
import { UnavailableError, ValidationError, compileValidator } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard } from '../http/auth';
import { decodeForPdq } from '../media/pdq-image';

/** Largest image accepted, decoded from base64. */
export const MAX_PDQ_IMAGE_BYTES = 10 * 1024 * 1024;
/**
 * Images being decoded or hashed at once, per API process. Each holds up to
 * ~14 MB of body, its decoded pixels and ~40 ms of hashing CPU: more are
 * refused with 503 and Retry-After rather than queued in memory, so a
 * burst of uploads never starves claims and searches of memory or CPU.
 */
export const MEDIA_PDQ_MAX_IN_FLIGHT = 4;
/** A hash taking longer than this (a stuck worker) is abandoned with 503. */
export const MEDIA_HASH_TIMEOUT_MS = 10_000;

export const validatePdqBody = compileValidator<{ image: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['image'],
    // base64 of at most MAX_PDQ_IMAGE_BYTES (4 characters per 3 bytes).
    properties: { image: { type: 'string', minLength: 4, maxLength: Math.ceil(MAX_PDQ_IMAGE_BYTES / 3) * 4, pattern: '^[A-Za-z0-9+/]+={0,2}$' } },
  },
  'pdq',
);

/**
 * POST /v1/media/pdq { image: base64 } → { pdq, quality, width, height }:
 * the PDQ hash of an image, for platforms that cannot compute it. The bytes
 * live only for the request: never stored, logged or audited (they may be
 * abuse material). width × height are those hashed (fitted to 512).
 */
export function mediaPdqRoutes(deps: ApiDeps): Router {
  const r = Router();
  let inFlight = 0;
  r.post('/v1/media/pdq', guard(deps, 'POST /v1/media/pdq'), async (req, res) => {
    const { image } = validatePdqBody(req.body);
    const bytes = Buffer.from(image, 'base64');
    if (bytes.length > MAX_PDQ_IMAGE_BYTES) throw new ValidationError(`pdq: /image is ${bytes.length} bytes; at most ${MAX_PDQ_IMAGE_BYTES}`, '/image', 'image_too_large');
    if (inFlight >= MEDIA_PDQ_MAX_IN_FLIGHT) throw new UnavailableError(`${MEDIA_PDQ_MAX_IN_FLIGHT} images are being hashed already; try again shortly`, 'media_hashing_busy');
    inFlight++;
    try {
      let pixels;
      try {
        pixels = await decodeForPdq(bytes);
      } catch {
        // sharp's message names the decoder's complaint, not the bytes; still, say only what the caller needs.
        throw new ValidationError('pdq: /image is not an image this service can decode (JPEG, PNG, WebP, GIF, TIFF, AVIF)', '/image', 'image_unreadable');
      }
      // The pool's own errors (timeout, crash, closing) are 503s already.
      const { pdq, quality } = await deps.mediaPool.run('pdq-of-pixels', pixels);
      res.json({ pdq, quality, width: pixels.width, height: pixels.height });
    } finally {
      inFlight--;
    }
  });
  return r;
}
