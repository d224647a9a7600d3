/**
 * Reports sent through the API's real `POST /v1/reports` with bounded
 * concurrency, keeping the set the API acknowledged (answered 2xx): the
 * reports the product promised not to lose. `onAck` runs synchronously on
 * every acknowledgement with the running count, so a scenario injects its
 * fault at a deterministic point ("after N acknowledged reports").
 */

export interface LoadReport {
  /** The client's reportId (the API stores "<token id>.<reportId>"). */
  reportId: string;
  contentId: string;
  token: string;
  body: Record<string, unknown>;
}

export interface LoadResult {
  /** Stored report id ("<token id>.<reportId>") -> content id, for every report answered 2xx. */
  acknowledged: Map<string, string>;
  /** Answers other than 2xx, by status ("error" when the request itself failed). */
  refused: Record<string, number>;
  /** 503 answers retried (retries503). */
  retried503: number;
  elapsedMs: number;
  reportsPerSecond: number;
}

export interface LoadOptions {
  apiUrl: string;
  concurrency: number;
  /** The token id of each token, to name the stored report id. */
  tokenIdOf(token: string): string;
  onAck?: (acked: number) => void;
  /** Stop sending new reports once this returns true (in-flight ones finish). */
  stop?: () => boolean;
  /**
   * Awaited before each send: a scenario holds new reports back until its
   * fault has been injected (a kill is done), so the fault lands at its
   * point in the intake and not after the load is over.
   */
  gate?: () => Promise<void>;
  /**
   * Retries of a report answered 503, with the same reportId, as the API asks
   * ("retry with the same reportId": one report however often it lands). On
   * a loaded box the intake's bounded Redis wait (500 ms) answers 503 now
   * and then with Redis up; a client that retries gets its report in. 0
   * (the default) when the scenario counts refusals (Redis down).
   */
  retries503?: number;
}

export async function sendReports(reports: readonly LoadReport[], o: LoadOptions): Promise<LoadResult> {
  const acknowledged = new Map<string, string>();
  const refused: Record<string, number> = {};
  let next = 0;
  let retried = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (;;) {
      if (o.gate) await o.gate();
      if (o.stop?.()) return;
      const r = reports[next++];
      if (!r) return;
      try {
        let res: Response;
        for (let attempt = 0; ; attempt++) {
          res = await fetch(`${o.apiUrl}/v1/reports`, {
            method: 'POST',
            headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...r.body, reportId: r.reportId }),
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          if (res.status !== 503 || attempt >= (o.retries503 ?? 0)) break;
          retried++;
          await new Promise((w) => setTimeout(w, 250));
        }
        if (res.status >= 200 && res.status < 300) {
          acknowledged.set(`${o.tokenIdOf(r.token)}.${r.reportId}`, r.contentId);
          o.onAck?.(acknowledged.size);
        } else {
          refused[String(res.status)] = (refused[String(res.status)] ?? 0) + 1;
        }
      } catch {
        refused['error'] = (refused['error'] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  const elapsedMs = performance.now() - t0;
  return { acknowledged, refused, retried503: retried, elapsedMs: Math.round(elapsedMs), reportsPerSecond: Math.round((acknowledged.size / elapsedMs) * 1000) };
}

/**
 * The scenarios' report mix: `count` reports over `contents` posts (several
 * reports per post, so folding into one case per post is exercised); every
 * `autoEvery`-th post is reported by the detector token with text an
 * auto_remove rule matches (triage takes it down: an action without a
 * human), the others by a user reporting drugs (a case for review).
 */
export function reportMix(o: { count: number; contents: number; autoEvery: number; tag: string; reporterToken: string; detectorToken: string }): LoadReport[] {
  const out: LoadReport[] = [];
  for (let i = 0; i < o.count; i++) {
    const n = i % o.contents;
    const contentId = `${o.tag}-post-${n}`;
    const auto = n % o.autoEvery === 0;
    out.push({
      reportId: `${o.tag}-r-${i}`,
      contentId,
      token: auto ? o.detectorToken : o.reporterToken,
      body: {
        content: { id: contentId, type: 'post', text: auto ? `zzfault wallet drainer, connect here ${n}` : `Selling cocaine tonight, DM ${n}`, authorId: `author-${n % 97}`, lang: 'en' },
        reporter: auto ? { type: 'automated', id: 'scanner' } : { type: 'user', id: `reporter-${i % 211}` },
        reason: auto ? 'fraud' : 'drugs',
      },
    });
  }
  return out;
}
