import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

type Labels = Record<string, string>;

/**
 * Figures kept elsewhere (Redis hashes, an Elasticsearch count) set on a
 * registry built for one scrape: a gauge or counter per family, one sample
 * per label set. Counters read from a store are totals, set as they are.
 */
export function addStoredSamples(registry: Registry, m: { name: string; help: string; type: 'gauge' | 'counter'; samples: readonly [Labels, number][] }): void {
  const labelNames = [...new Set(m.samples.flatMap(([l]) => Object.keys(l)))];
  if (m.type === 'gauge') {
    const g = new Gauge({ name: m.name, help: m.help, labelNames, registers: [registry] });
    for (const [l, v] of m.samples) g.set(l, Number.isFinite(v) ? v : 0);
    return;
  }
  const c = new Counter({ name: m.name, help: m.help, labelNames, registers: [registry] });
  for (const [l, v] of m.samples) c.inc(l, Number.isFinite(v) && v > 0 ? v : 0);
}

/** A histogram whose bucket counts live in a store: cumulative counts by upper bound (seconds), sum and count. */
export interface StoredHistogramValue {
  /** [upper bound in seconds, observations at or below it], ascending. */
  buckets: readonly [number, number][];
  sum: number;
  count: number;
}

/**
 * Registers a histogram read from a store. prom-client's Histogram only
 * counts observations made in this process, so this is the metric object its
 * Registry renders (`get()` with the bucket, sum and count samples).
 */
export function addStoredHistogram(registry: Registry, m: { name: string; help: string; value: StoredHistogramValue }): void {
  const { name, help, value } = m;
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      return {
        name,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: [
          ...value.buckets.map(([le, n]) => ({ metricName: `${name}_bucket`, labels: { le }, value: n })),
          { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: value.count },
          { metricName: `${name}_sum`, labels: {}, value: value.sum },
          { metricName: `${name}_count`, labels: {}, value: value.count },
        ],
      };
    },
    reset() {},
  };
  // The Registry needs only name, type and get(); its typings list prom-client's own classes.
  registry.registerMetric(metric as unknown as Metric);
}
