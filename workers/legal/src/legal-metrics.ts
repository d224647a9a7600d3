import { Gauge, Histogram, LEGAL_STATES, TERMINAL_LEGAL_STATES, type LegalSlaFigures, type LegalStore, type Registry } from '@takedown/shared';

/** How long one scrape's read of the legal store may take. */
const SLA_READ_TIMEOUT_MS = 5_000;
/** Upper bounds (seconds) of the time to answer: hours to weeks. */
const ANSWER_SECONDS = [3600, 4 * 3600, 12 * 3600, 86400, 2 * 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400];
const OPEN_STATES = LEGAL_STATES.filter((s) => !TERMINAL_LEGAL_STATES.includes(s));

/**
 * The legal desk's service level. From the store at scrape time (whoever
 * changed the requests: the API or this worker): open requests by state, the
 * age of the oldest awaiting its answer, and how many are past the date the
 * agency asked for an answer by (`dueAt`). Observed here as packages are
 * built: the time from receipt to the package (the answer with data).
 * Nothing names a request, an agency or a target.
 */
export function createLegalMetrics(registry: Registry, store: LegalStore) {
  const registers = [registry];
  // One read per scrape: the registry collects the three gauges at once, so they share the read in flight.
  let inflight: Promise<LegalSlaFigures | undefined> | undefined;
  const figures = () =>
    (inflight ??= store
      .slaFigures(new Date(), SLA_READ_TIMEOUT_MS)
      .catch(() => undefined)
      .finally(() => {
        inflight = undefined;
      }));
  new Gauge({
    name: 'takedown_legal_requests_open',
    help: 'Legal requests not yet delivered, rejected or withdrawn, by state (absent when the store cannot be read).',
    labelNames: ['state'],
    registers,
    async collect() {
      const f = await figures();
      this.reset();
      if (f) for (const state of OPEN_STATES) this.set({ state }, f.openByState[state] ?? 0);
    },
  });
  new Gauge({
    name: 'takedown_legal_oldest_open_request_age_seconds',
    help: 'How long the longest-waiting request awaiting its answer (received to approved) has waited; 0 when none.',
    registers,
    async collect() {
      const f = await figures();
      this.reset();
      if (f) this.set(f.oldestAwaitingReceivedAt ? Math.max(0, Math.round((Date.now() - Date.parse(f.oldestAwaitingReceivedAt)) / 1000)) : 0);
    },
  });
  new Gauge({
    name: 'takedown_legal_requests_overdue',
    help: 'Requests awaiting their answer past the date the agency asked for it by (dueAt).',
    registers,
    async collect() {
      const f = await figures();
      this.reset();
      if (f) this.set(f.overdue);
    },
  });
  const answered = new Histogram({ name: 'takedown_legal_time_to_package_seconds', help: 'Time from receipt of a request to its disclosure package, as built by this process.', buckets: ANSWER_SECONDS, registers });
  return {
    packageProduced(receivedAt: string, producedAt: Date): void {
      const ms = producedAt.getTime() - Date.parse(receivedAt);
      if (Number.isFinite(ms)) answered.observe(Math.max(0, ms) / 1000);
    },
  };
}

export type LegalMetrics = ReturnType<typeof createLegalMetrics>;
