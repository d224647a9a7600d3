import { TakedownError, ValidationError } from '@takedown/shared';
import { RuleImportError, type ImportProblem } from '../rules-io/import-rules';

/** An error as it crosses from a rule worker (structured clone keeps no class). */
export interface SerializedTaskError {
  name: string;
  message: string;
  code?: string;
  status?: number;
  field?: string;
  details?: unknown;
}

export function serializeTaskError(err: unknown): SerializedTaskError {
  if (err instanceof TakedownError) return { name: err.name, message: err.message, code: err.code, status: err.status, ...(err.field !== undefined ? { field: err.field } : {}), ...(err.details !== undefined ? { details: err.details } : {}) };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** The classes a rule task throws on purpose, rebuilt so the error middleware and callers see what the main thread would have thrown. */
const REBUILD: Record<string, (e: SerializedTaskError) => TakedownError> = {
  RuleImportError: (e) => new RuleImportError(((e.details as { problems?: ImportProblem[] } | undefined)?.problems ?? [])),
  ValidationError: (e) => new ValidationError(e.message, e.field, e.code),
};

export function deserializeTaskError(e: SerializedTaskError): Error {
  if (Object.hasOwn(REBUILD, e.name)) return (REBUILD[e.name] as (e: SerializedTaskError) => TakedownError)(e);
  if (e.code !== undefined) {
    const err = new TakedownError(e.code, e.message, e.status, e.field);
    if (e.details !== undefined) err.details = e.details;
    return err;
  }
  // Anything else is a bug: a plain Error, answered as a bare 500.
  return new Error(`rule worker: ${e.message}`);
}
