/**
 * A moderator working the default lane through the API (claim, then
 * decide `remove`) while a scenario injects its faults: decisions recorded
 * by the API that the actions worker must apply exactly once. Always
 * `remove`, so an auto-removed post is never put back up (a `keep` would let
 * a later detector report auto-remove it again: a legitimate second
 * automated decision the ledger would have to tell apart).
 */
import type { FaultApi } from './fault-moderation-api';

export interface ModeratorLoop {
  /** Stops after the current case; resolves with what was done. */
  stop(): Promise<{ decided: number; refused: Record<string, number> }>;
}

export function startModeratorLoop(api: FaultApi, o: { pauseMs?: number; max?: number } = {}): ModeratorLoop {
  let running = true;
  let decided = 0;
  const refused: Record<string, number> = {};
  const count = (what: string) => (refused[what] = (refused[what] ?? 0) + 1);
  const done = (async () => {
    while (running && decided < (o.max ?? Infinity)) {
      try {
        const claimed = await api.call('POST', '/v1/review/claim', api.tokens.moderator, { queue: 'default' });
        if (claimed.status === 200) {
          const c = claimed.body.case as { id: string; category: string };
          const d = await api.call('POST', `/v1/review/${c.id}/decision`, api.tokens.moderator, {
            leaseToken: claimed.body.lease.token,
            action: 'remove',
            category: c.category,
            legalGround: 'fault suite: removed by moderator',
          });
          if (d.status >= 200 && d.status < 300) decided++;
          else count(`decision ${d.status}`);
        } else if (claimed.status !== 204) {
          count(`claim ${claimed.status}`);
        }
      } catch (err) {
        count(`error ${(err as Error).name}`);
      }
      await new Promise((r) => setTimeout(r, o.pauseMs ?? 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { decided, refused };
    },
  };
}
