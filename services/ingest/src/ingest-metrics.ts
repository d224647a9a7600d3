import { Counter, Histogram, renderAll } from '@takedown/shared';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Per-instance metrics of the ingest service. Nothing per user or per document. */
export function createIngestMetrics() {
  const requests = new Counter('takedown_ingest_requests_total', 'Requests by endpoint and status.');
  const items = new Counter('takedown_ingest_items_total', 'Items written or refused, by action and outcome (ok, refused, failed).');
  const states = new Counter('takedown_ingest_documents_total', 'Documents written, by the moderation state they were stored with.');
  const cases = new Counter('takedown_ingest_cases_opened_total', 'Automated reports filed for posts that hit flag_for_review or auto_remove rules.');
  const ignored = new Counter('takedown_ingest_moderation_ignored_total', 'Documents that arrived carrying moderation.* fields (ignored: only Takedown writes them).');
  const refused = new Counter('takedown_ingest_refused_total', 'Whole requests refused, by reason.');
  const scan = new Histogram('takedown_ingest_scan_seconds', 'Time to scan one batch of documents (normalise and match).', SECONDS);
  const upstream = new Histogram('takedown_ingest_upstream_seconds', 'Elasticsearch round trips per batch (reads and the bulk write).', SECONDS);
  return { requests, items, states, cases, ignored, refused, scan, upstream, render: () => renderAll([requests, items, states, cases, ignored, refused, scan, upstream]) };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
