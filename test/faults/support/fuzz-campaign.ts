/**
 * Sends many generated requests to one endpoint over keep-alive connections,
 * a fixed number in flight, and tallies the answers by status: the fault
 * suite's fuzz (R4) runs hundreds of thousands, so one request per
 * connection and fast-check's one-at-a-time `assert` would take too long.
 */
import { Agent } from 'node:http';
import fc from 'fast-check';
import { rawRequest, type RawAnswer } from '../../support/raw-http';

export interface FuzzRequest {
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface CampaignResult {
  sent: number;
  durationMs: number;
  /** Status → count; transport failures as `error:<code>`. */
  statuses: Record<string, number>;
  /**
   * Answers ≥ 500 that the same request, sent again at once, did not give
   * (a bounded wait giving up on a machine too loaded to answer in time,
   * never the input): counted here by status, the retry's answer in `statuses`.
   */
  transient: Record<string, number>;
  /** Up to five requests that were answered ≥ 500 or not answered at all, for the failure message. */
  failures: { status: string; path: string; body: string; answer: string }[];
}

/**
 * `runs` requests drawn from `arb` with `seed` (the same cases every run),
 * `concurrency` in flight. A request whose connection fails is sent once
 * more on a fresh one (a keep-alive socket the server closed as it was
 * reused is not a finding); a second failure is. An answer ≥ 500 is sent
 * once more too: only one the input gives again is a finding.
 */
export async function fuzzCampaign(base: string, method: string, arb: fc.Arbitrary<FuzzRequest>, o: { runs: number; seed: number; concurrency: number }): Promise<CampaignResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const result: CampaignResult = { sent: 0, durationMs: 0, statuses: {}, transient: {}, failures: [] };
  const started = performance.now();
  // Drawn in batches: a whole campaign's bodies at once would hold hundreds of megabytes.
  const BATCH = 500;
  let batchNo = 0;
  try {
    for (let done = 0; done < o.runs; done += BATCH) {
      const requests = fc.sample(arb, { seed: o.seed + batchNo++, numRuns: Math.min(BATCH, o.runs - done) });
      let next = 0;
      await Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (next < requests.length) {
            const req = requests[next++]!;
            let answer: RawAnswer | undefined;
            let error: string | undefined;
            for (let attempt = 0; attempt < 2 && !answer; attempt++) {
              try {
                answer = await rawRequest(base, method, req.path, req.headers, req.body, attempt === 0 ? agent : undefined);
                error = undefined;
              } catch (err) {
                error = `error:${(err as NodeJS.ErrnoException).code ?? (err as Error).name}`;
              }
            }
            if (answer && answer.status >= 500) {
              const again = await rawRequest(base, method, req.path, req.headers, req.body).catch(() => undefined);
              if (again && again.status < 500) {
                result.transient[answer.status] = (result.transient[answer.status] ?? 0) + 1;
                answer = again;
              }
            }
            const status = answer ? String(answer.status) : error!;
            result.sent++;
            result.statuses[status] = (result.statuses[status] ?? 0) + 1;
            if ((!answer || answer.status >= 500) && result.failures.length < 5) {
              const body = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? `<${req.body.length} bytes>` : req.body.slice(0, 300);
              result.failures.push({ status, path: req.path.slice(0, 300), body, answer: answer?.text.slice(0, 300) ?? '' });
            }
          }
        }),
      );
    }
  } finally {
    agent.destroy();
    result.durationMs = Math.round(performance.now() - started);
  }
  return result;
}
