import express, { type RequestHandler } from 'express';
import { UnreadableBodyError, bodyReader } from '@takedown/shared';
import type { Endpoint } from '../access';

/** Every endpoint's JSON body limit unless BODY_LIMITS says otherwise. */
export const DEFAULT_BODY_LIMIT = '1mb';

/**
 * Larger bodies, endpoint by endpoint. Read only after the guard has
 * admitted the caller, so only a role ACCESS allows to import (lead) can
 * make the API buffer 25 MB.
 */
export const BODY_LIMITS: Partial<Readonly<Record<Endpoint, string>>> = {
  'POST /v1/rules/draft/import': '25mb',
  // An image of at most 10 MB (MAX_PDQ_IMAGE_BYTES), as base64.
  'POST /v1/media/pdq': '14mb',
  // A legal process document (PDF ≤ 10 MB) rides in the body as base64.
  'POST /v1/legal/requests': '15mb',
  'POST /v1/legal/requests/:requestId/info-received': '15mb',
  'POST /v1/legal/requests/:requestId/follow-up': '15mb',
};

export function bodyLimitOf(endpoint: Endpoint): string {
  return Object.hasOwn(BODY_LIMITS, endpoint) ? (BODY_LIMITS[endpoint] as string) : DEFAULT_BODY_LIMIT;
}

/**
 * The JSON body reader of one endpoint (the guard runs it once the caller
 * is known). A body of another media type is a 415 naming Content-Type:
 * read as nothing, it would reach the schema as a confusing "(root) must
 * be object". Every parser failure arrives classified (bodyReader).
 */
export function readJson(endpoint: Endpoint): RequestHandler {
  const parse = bodyReader(express.json({ limit: bodyLimitOf(endpoint), strict: true }));
  return (req, res, next) => {
    // req.is: null without a body, false for a body of another type.
    if (req.is(['application/json', '+json']) === false) {
      return next(new UnreadableBodyError({ status: 415, code: 'unsupported_media_type', field: 'content-type', esType: 'media_type_header_exception', message: 'request bodies must be JSON (Content-Type: application/json)' }));
    }
    parse(req, res, next);
  };
}
