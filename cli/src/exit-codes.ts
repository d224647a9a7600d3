import { CommanderError } from 'commander';
import { ConfigError, TakedownError, UnavailableError, ValidationError, isTakedownError, mapError } from '@takedown/shared';
import { ApiRefusal } from './api-client';

/** What `takedown` exits with. Scripts branch on these; the README and `--help` list them. */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is no: refused by the server or the store, not found, an invalid package, a leak, a failed backfill. */
  failed: 1,
  /** How it was called: an unknown command or option, a missing or invalid argument, a missing or invalid setting. */
  usage: 2,
  /** A dependency could not be reached or is not fit to serve: Redis, Elasticsearch, the moderation API, the search service. */
  unavailable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  failed: the command ran and the answer is no (refused by the server or the
     store, not found, an invalid package, a leak found, a failed backfill)
  2  usage error: unknown command or option, a missing or invalid argument,
     a missing or invalid setting (TAKEDOWN_TOKEN, REDIS_URL…)
  3  unavailable: Redis, Elasticsearch, the moderation API or the search
     service could not be reached, timed out, or answered 502/503/504

With --json: stdout carries the result as one JSON document (nothing when the
command failed before it had one); stderr carries nothing, or on failure one
JSON document {"error": {"code", "message", "exitCode", …}}.`;

/** A command called wrongly in a way the parser cannot see (options that do not go together, a bad value). Exit 2. */
export class UsageError extends ValidationError {
  constructor(message: string, field?: string) {
    super(message, field, 'usage');
  }
}

/**
 * The command ran and the answer is no (exit 1): an invalid package, a
 * leak, a failed backfill. `text` replaces "takedown: message" on stderr
 * when the command has a line of its own for it (`invalid: …`).
 */
export class CommandFailed extends TakedownError {
  constructor(
    code: string,
    message: string,
    readonly text?: string,
  ) {
    super(code, message, 422);
  }
}

/** A failure as the CLI reports it: the exit code and what `--json` prints on stderr. */
export interface CliFailure {
  exitCode: ExitCode;
  code: string;
  message: string;
  field?: string;
  /** The HTTP status a server answered with, when a server refused. */
  status?: number;
  details?: unknown;
}

const GATEWAY = new Set([502, 503, 504]);

/**
 * Classifies anything a command threw. TakedownErrors keep their code;
 * Redis and Elasticsearch client failures are told apart by the same
 * mapping the HTTP services use (mapError), so "unreachable" means the same
 * thing for the CLI as for a 503.
 */
export function failureOf(err: unknown): CliFailure {
  if (err instanceof CommanderError) {
    return { exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.usage, code: commanderCode(err.code), message: commanderMessage(err) };
  }
  if (isTakedownError(err)) {
    const exitCode = err instanceof UsageError || err instanceof ConfigError ? EXIT.usage : err instanceof UnavailableError || GATEWAY.has(err.status) ? EXIT.unavailable : EXIT.failed;
    return {
      exitCode,
      code: err.code,
      message: err.message,
      ...(err.field !== undefined ? { field: err.field } : {}),
      // A status only for what a server answered (ApiRefusal sets it); local errors carry the class's default.
      ...(err instanceof ApiRefusal ? { status: err.status } : {}),
      ...(err.details !== undefined ? { details: err.details } : {}),
    };
  }
  const mapped = mapError(err);
  const message = err instanceof Error ? err.message : String(err);
  if (mapped.status === 503) return { exitCode: EXIT.unavailable, code: mapped.body.error.code, message: `${mapped.body.error.message} (${message})` };
  return { exitCode: EXIT.failed, code: 'failed', message };
}

/** `commander.unknownOption` → `unknown_option`. */
function commanderCode(code: string): string {
  if (code === 'commander.help') return 'command_required';
  return code
    .replace(/^commander\./, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function commanderMessage(err: CommanderError): string {
  if (err.code === 'commander.help') return 'a command is required (--help lists them)';
  return err.message.replace(/^error: /, '');
}
