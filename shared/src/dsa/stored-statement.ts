/**
 * The stored statement of reasons (DSA Art. 17): one document per decision
 * that owes one, in `indices.statements`, `_id` = `puid` = the decision id.
 * The builder (actions worker) writes `pending` or `invalid`; the submitter
 * moves `pending` on to `submitted`, `rejected` or `failed`.
 */
export const STATEMENT_STATUSES = ['pending', 'submitted', 'invalid', 'rejected', 'failed'] as const;
// pending: passed our validator, waiting for submission (or waiting for a retry: attempts/nextAttemptAt/lastError say so)
// submitted: the database accepted it (HTTP 201 in a batch) or already had its puid (`duplicate: true`)
// invalid: refused by OUR validator before storing; `problems` say why; never submitted; shown to leads
// rejected: the database refused it (validation error naming its fields); `problems` carry the database's messages
// failed: gave up after the configured maximum attempts on transport errors (timeouts, 5xx, 429); a lead can requeue it
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

/** `field` is the statement's field name, e.g. "content_language" or "territorial_scope". */
export interface StatementProblem {
  field: string;
  code: string;
  message: string;
}

export interface StoredStatement {
  puid: string;
  decisionId: string;
  caseId: string;
  contentId: string;
  /** ISO date-time the statement was built. */
  createdAt: string;
  /** ISO date-time of the decision (range queries for Art. 15). */
  decidedAt: string;
  status: StatementStatus;
  problems?: StatementProblem[];
  /** The exact JSON body the Transparency Database receives (mapped `enabled: false`). */
  statement: Record<string, unknown>;
  // Keyword copies for the Art. 15 figures and the console (same values as inside `statement`):
  category: string;
  decision_ground: string;
  source_type: string;
  automated_detection: string;
  automated_decision: string;
  /** Takedown's own category (csam, drugs, ...). */
  takedownCategory: string;
  /** The decision id this decision answers on appeal. */
  appealOf?: string;
  // Submission bookkeeping (written by the submitter only):
  attempts?: number;
  nextAttemptAt?: string;
  submittedAt?: string;
  lastError?: string;
  duplicate?: boolean;
  tdbUuid?: string;
}
