import { Registry, collectDefaultMetrics } from 'prom-client';

// The metric classes every package registers on its process registry: one prom-client, through shared.
export { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per process: Node's process and runtime metrics
 * (CPU, memory, event-loop lag, GC, handles) plus whatever the process
 * registers on it, every sample labelled with the service or worker that
 * produced it (`service="search"`, `service="triage"`…).
 */
export interface ProcessMetrics {
  readonly service: string;
  readonly registry: Registry;
  /**
   * The text exposition (format 0.0.4). `perScrape`: figures computed for
   * this scrape alone (read from Redis or Elasticsearch, or depending on the
   * caller's grants), merged in and given the same service label.
   */
  exposition(perScrape?: Registry): Promise<string>;
}

/** What `/metrics` answers with. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export function createProcessMetrics(service: string): ProcessMetrics {
  const registry = new Registry();
  const labels = { service };
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return {
    service,
    registry,
    async exposition(perScrape) {
      if (!perScrape) return registry.metrics();
      const merged = Registry.merge([registry, perScrape]);
      merged.setDefaultLabels(labels);
      return merged.metrics();
    },
  };
}
