import type { Response } from 'express';

/**
 * Errors in Elasticsearch's own shape, so a platform's Elasticsearch client
 * raises its usual ResponseError with a readable type and reason.
 */
export function sendEsError(res: Response, status: number, type: string, reason: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .set('X-Elastic-Product', 'Elasticsearch')
    .json({ error: { root_cause: [{ type, reason }], type, reason, ...extra }, status });
}

/** A refusal the proxy makes on purpose (bad index, endpoint, parameter or body). */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** Counted in takedown_search_refused_total{reason}. */
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
