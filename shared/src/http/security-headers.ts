import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * helmet's security headers (HSTS, X-Frame-Options, nosniff, Referrer-Policy,
 * the cross-origin policies, …) for every Takedown HTTP service. Its own
 * Content-Security-Policy stays off: the moderation console sets its exact
 * policy on its pages, bull-board brings inline assets, and the search and
 * ingest services answer JSON only. Headers only: no body is touched.
 */
export function securityHeaders(): RequestHandler {
  return helmet({ contentSecurityPolicy: false });
}
