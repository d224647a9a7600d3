import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Registry, actionsEnvVars, apiEnvVars, backfillEnvVars, createJobMetrics, createProcessMetrics, dsaSubmitterEnvVars, ingestEnvVars, legalWorkerEnvVars, searchEnvVars, triageEnvVars, type EnvVarSpec, type LegalStore } from '@takedown/shared';
import { createSearchMetrics } from '@takedown/search-service';
import { createIngestMetrics } from '@takedown/ingest-service';
import { createTriageMetrics } from '@takedown/triage-worker';
import { createActionsMetrics } from '@takedown/actions-worker';
import { createBackfillMetrics } from '@takedown/backfill-worker';
import { createLegalMetrics } from '@takedown/legal-worker';
import { createSubmitterMetrics } from '@takedown/dsa-submitter';

/**
 * The compose profile `observability` cannot be run here (no Docker engine),
 * so its configuration is checked against the code: every metric the
 * dashboard queries is one a process defines, and Prometheus scrapes every
 * Takedown process of the compose file, at the port that process listens on.
 */
const root = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

/** Metric families the processes register, by name and type. */
function definedMetrics(): Map<string, string> {
  const reg = new Registry();
  createJobMetrics(reg);
  createTriageMetrics(reg);
  createActionsMetrics(reg);
  createBackfillMetrics(reg);
  // Registration only: no scrape, so the store is never read.
  createLegalMetrics(reg, {} as LegalStore);
  createSubmitterMetrics(reg);
  const defined = new Map<string, string>();
  const search = createSearchMetrics();
  for (const r of [reg, createProcessMetrics('unit').registry, search.process.registry, search.scrapeFamilies(), createIngestMetrics().process.registry]) {
    for (const m of r.getMetricsAsArray()) defined.set(m.name, String(m.type));
  }
  // The moderation API builds its families per scrape from Redis: read their names from its source.
  const api = read('services/moderation-api/src/metrics/render-metrics.ts');
  for (const m of api.matchAll(/metric\(\s*'(takedown_[a-z0-9_]+)',\s*'(counter|gauge)'/g)) defined.set(m[1] as string, m[2] as string);
  for (const m of api.matchAll(/addStoredHistogram\(scrape, \{\s*name: '(takedown_[a-z0-9_]+)'/g)) defined.set(m[1] as string, 'histogram');
  return defined;
}

/** The series names a PromQL expression reads (metric names; not functions, labels, keywords or label values). */
function seriesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  // Keywords, and aggregation operators (which may come before their `by (…)`, not right before a parenthesis).
  const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);
  const names: string[] = [];
  for (const m of withoutStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = m;
    if (call || keywords.has(name as string)) continue;
    // Labels inside by (...) / without (...): the word follows an open parenthesis after by/without.
    const before = withoutStrings.slice(0, m.index).trimEnd();
    if (/\b(by|without|on|ignoring)\s*\([^)]*$/.test(before)) continue;
    names.push(name as string);
  }
  return names;
}

describe('observability configuration', () => {
  const defined = definedMetrics();

  it('knows the metrics the code defines (the check below is not vacuous)', () => {
    for (const n of ['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'takedown_search_request_duration_seconds', 'takedown_decision_to_takedown_seconds', 'takedown_review_queue_depth', 'takedown_legal_requests_overdue']) {
      expect({ n, defined: defined.has(n) }).toEqual({ n, defined: true });
    }
    expect(seriesIn('histogram_quantile(0.95, sum by (le, endpoint) (rate(takedown_x_bucket{a="b"}[5m]))) / on (job) y')).toEqual(['takedown_x_bucket', 'y']);
  });

  it('the Grafana dashboard queries only metrics a process defines', () => {
    const dashboard = JSON.parse(read('deploy/observability/grafana/dashboards/takedown.json')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const used: { panel: string; series: string }[] = [];
    for (const p of dashboard.panels) for (const t of p.targets ?? []) for (const series of seriesIn(t.expr)) used.push({ panel: p.title, series });
    expect(used.length).toBeGreaterThan(20);
    const known = (s: string) => {
      if (defined.has(s)) return true;
      const base = /^(.*)_(bucket|sum|count)$/.exec(s)?.[1];
      return base !== undefined && defined.get(base) === 'histogram';
    };
    expect(used.filter((u) => !known(u.series))).toEqual([]);
    // The panels the operators asked for are there.
    const titles = dashboard.panels.map((p) => p.title).join('\n');
    for (const words of [/Search latency/, /Blocked searches/, /Decision to takedown/, /queue depth/i, /Oldest waiting/, /Backfill progress/, /Legal desk/, /CPU/, /Memory/, /Event-loop lag/]) expect(titles).toMatch(words);
  });

  it('Prometheus scrapes every Takedown process of the compose file, at its port, with a bearer token from a file', () => {
    const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, { command?: string[]; profiles?: string[]; environment?: Record<string, string> }> };
    // The port each process's /metrics answers on: the services' own port, the workers' metrics port.
    const portVar: Record<string, [readonly EnvVarSpec[], string]> = {
      'services/moderation-api': [apiEnvVars, 'TAKEDOWN_API_PORT'],
      'services/search': [searchEnvVars, 'TAKEDOWN_SEARCH_PORT'],
      'services/ingest': [ingestEnvVars, 'TAKEDOWN_INGEST_PORT'],
      'workers/triage': [triageEnvVars, 'TAKEDOWN_TRIAGE_METRICS_PORT'],
      'workers/actions': [actionsEnvVars, 'TAKEDOWN_ACTIONS_METRICS_PORT'],
      'workers/backfill': [backfillEnvVars, 'TAKEDOWN_BACKFILL_METRICS_PORT'],
      'workers/legal': [legalWorkerEnvVars, 'TAKEDOWN_LEGAL_METRICS_PORT'],
      'workers/dsa-submitter': [dsaSubmitterEnvVars, 'TAKEDOWN_DSA_SUBMITTER_METRICS_PORT'],
    };
    const expected: string[] = [];
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.profiles?.length) continue; // demo (everything in one container) and the cluster servers
      const main = svc.command?.find((c) => c.endsWith('/dist/main.js'));
      if (!main) continue;
      const pkg = main.replace(/\/dist\/main\.js$/, '');
      if (!Object.hasOwn(portVar, pkg)) throw new Error(`${name} runs ${pkg}: which port does its /metrics answer on?`);
      const [spec, variable] = portVar[pkg] as [readonly EnvVarSpec[], string];
      const port = svc.environment?.[variable] ?? spec.find((s) => s.name === variable)?.default;
      expected.push(`${name}:${String(port)}`);
    }
    expect(expected.length).toBe(8);

    const prom = parseYaml(read('deploy/observability/prometheus.yml')) as {
      scrape_configs: { job_name: string; authorization?: { type: string; credentials_file?: string }; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const scraped: string[] = [];
    for (const job of prom.scrape_configs) {
      expect({ job: job.job_name, authorization: job.authorization }).toEqual({ job: job.job_name, authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/scrape-token' } });
      for (const s of job.static_configs ?? []) scraped.push(...s.targets);
      for (const d of job.dns_sd_configs ?? []) scraped.push(...d.names.map((n) => `${n}:${d.port}`));
    }
    expect(scraped.sort()).toEqual(expected.sort());

    // The token file is mounted where the scrape configs read it, and the profile's two services are pinned.
    const observability = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('observability'));
    expect(observability.map(([n]) => n).sort()).toEqual(['grafana', 'prometheus']);
    const images = read('docker-compose.yml');
    expect(images).toMatch(/image: prom\/prometheus:v\d+\.\d+\.\d+\n/);
    expect(images).toMatch(/image: grafana\/grafana:\d+\.\d+\.\d+\n/);
    expect(images).toContain('./deploy/observability/secrets:/etc/prometheus/secrets:ro');
  });
});
