import { Counter, type Registry } from '@takedown/shared';
import type { RoundResult } from './submitter';

/**
 * What this submitter process did, round by round (the totals across all
 * submitters, csam apart, are in Redis and on the moderation API's /metrics).
 */
export function createSubmitterMetrics(registry: Registry) {
  const registers = [registry];
  const rounds = new Counter({
    name: 'takedown_dsa_submitter_rounds_total',
    help: 'Submission rounds of this process, by outcome: submitted (it held the lock), idle (another submitter held it), auth_refused (the database refused the token), error.',
    labelNames: ['outcome'],
    registers,
  });
  const statements = new Counter({
    name: 'takedown_dsa_submitter_statements_total',
    help: 'Statements this process had a result for, by result: submitted, duplicate (counted as submitted), rejected, retry, failed.',
    labelNames: ['result'],
    registers,
  });
  const calls = new Counter({ name: 'takedown_dsa_submitter_calls_total', help: 'Calls this process made to the Transparency Database.', registers });
  return {
    round(r: RoundResult): void {
      rounds.inc({ outcome: r.authRefused ? 'auth_refused' : r.lockHeld ? 'submitted' : 'idle' });
      calls.inc(r.calls);
      const byResult: [string, number][] = [['submitted', r.submitted], ['duplicate', r.duplicates], ['rejected', r.rejected], ['retry', r.retried], ['failed', r.failed]];
      for (const [result, n] of byResult) if (n > 0) statements.inc({ result }, n);
    },
    failed(): void {
      rounds.inc({ outcome: 'error' });
    },
  };
}

export type SubmitterMetrics = ReturnType<typeof createSubmitterMetrics>;
