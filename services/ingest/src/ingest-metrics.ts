import { Counter, Histogram, createProcessMetrics } from '@takedown/shared';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Per-instance metrics of the ingest service, on the process registry (with Node's own). Nothing per user or per document. */
export function createIngestMetrics() {
  const process = createProcessMetrics('ingest');
  const registers = [process.registry];
  return {
    process,
    requests: new Counter({ name: 'takedown_ingest_requests_total', help: 'Requests by endpoint and status.', labelNames: ['endpoint', 'status'], registers }),
    items: new Counter({ name: 'takedown_ingest_items_total', help: 'Items written or refused, by op and outcome (ok, refused, failed).', labelNames: ['op', 'outcome'], registers }),
    states: new Counter({ name: 'takedown_ingest_documents_total', help: 'Documents written, by the moderation state they were stored with.', labelNames: ['state'], registers }),
    cases: new Counter({ name: 'takedown_ingest_cases_opened_total', help: 'Automated reports filed for posts that hit flag_for_review or auto_remove rules.', registers }),
    ignored: new Counter({ name: 'takedown_ingest_moderation_ignored_total', help: 'Documents that arrived carrying moderation.* fields (ignored: only Takedown writes them).', registers }),
    refused: new Counter({ name: 'takedown_ingest_refused_total', help: 'Whole requests refused, by reason.', labelNames: ['reason'], registers }),
    scan: new Histogram({ name: 'takedown_ingest_scan_seconds', help: 'Time to scan one batch of documents (normalise and match).', buckets: SECONDS, registers }),
    upstream: new Histogram({ name: 'takedown_ingest_upstream_seconds', help: 'Elasticsearch round trips per batch (reads and the bulk write).', buckets: SECONDS, registers }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
