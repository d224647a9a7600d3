import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CatalogQueue, caseIdFor, createLogger, createRedis, requestPathQueueOptions } from '@takedown/shared';
import { buildApiDeps, createApp } from '@takedown/moderation-api';
import { startBlackHole, type BlackHole } from '../support/black-hole';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { startIngest } from '../support/ingest-service';
import { statusOf, timed as timedFetch } from '../support/timed-fetch';

/**
 * Redis and Elasticsearch "hung" (a server stopped mid-flight, a partition):
 * the service under test talks to them through a local black hole that
 * stops answering on a switch, so the shared servers never stop. Each test
 * asserts what is answered and that it *is* answered (a generous bound on
 * hanging, never a latency target) and prints the measured time.
 */

/** Far above the bounds the services keep (1.5 s search, 2 s intake, the API's Elasticsearch bounds as the test sets them): only proves the request does not hang. */
const HANG_BOUND_MS = 5000;

let p: Pipeline;
let index: string;

beforeAll(async () => {
  p = await startPipeline('hung-deps');
  index = p.ctx.config.contentIndex;
  await p.ctx.es.index({ index, id: 'hung-doc-1', document: { id: 'hung-doc-1', type: 'post', text: 'market bread for the hung test', authorId: 'a1', createdAt: '2026-11-01T00:00:00Z' }, refresh: true });
});
afterAll(async () => {
  await p.stop();
});

/** One request, aborted far beyond the bound, and how long it took. */
const timed = (url: string, init: RequestInit) => timedFetch(url, init, HANG_BOUND_MS);

function searchInit(token: string, body: unknown = { query: { match: { text: 'market bread' } } }): RequestInit {
  return { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('search service with Elasticsearch hung', () => {
  let hole: BlackHole;
  let proxy: SearchProxy;
  beforeAll(async () => {
    hole = await startBlackHole(p.ctx.config.elasticsearch.url);
    proxy = await startSearchProxy({ ...p.ctx.config, elasticsearch: { ...p.ctx.config.elasticsearch, url: hole.url } });
  });
  afterAll(async () => {
    await proxy.stop();
    await hole.close();
  });

  it('answers 503 in Elasticsearch error shape, never results, and does not hang (search, count, msearch)', async () => {
    const ok = await timed(`${proxy.url}/${index}/_search`, searchInit(p.tokens.search));
    expect('status' in ok && ok.status).toBe(200);
    hole.mode = 'hang';
    try {
      const measured: Record<string, number> = {};
      for (const [endpoint, init] of [
        ['_search', searchInit(p.tokens.search)],
        ['_count', searchInit(p.tokens.search, { query: { match_all: {} } })],
        ['_msearch', { method: 'POST', headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/x-ndjson' }, body: `{"index":"${index}"}\n{"query":{"match_all":{}}}\n` }],
      ] as const) {
        const r = await timed(`${proxy.url}/${index}/${endpoint}`, init);
        measured[endpoint] = r.ms;
        expect({ endpoint, answered: 'status' in r }).toEqual({ endpoint, answered: true });
        if (!('status' in r)) continue;
        expect({ endpoint, status: r.status }).toEqual({ endpoint, status: 503 });
        const body = JSON.parse(r.text) as { status: number; error: { type: string; root_cause: unknown[] } };
        expect(body.status).toBe(503);
        expect(body.error.type).toBe('takedown_unavailable_exception');
        expect(body.error.root_cause).toHaveLength(1);
        expect(r.text).not.toContain('hung-doc');
        expect(r.headers.get('x-elastic-product')).toBe('Elasticsearch');
      }
      console.log(JSON.stringify({ scenario: 'search, Elasticsearch hung', answeredInMs: measured }));
    } finally {
      hole.mode = 'pass';
    }
  });

  it('answers within the bound when the headers come at once and the body a byte at a time (each byte within the deadline, the whole far past it): search, count, msearch', async () => {
    hole.mode = 'drip';
    try {
      for (const [path, init] of [
        [`/${index}/_search`, searchInit(p.tokens.search)],
        [`/${index}/_count`, searchInit(p.tokens.search, { query: { match_all: {} } })],
        ['/_msearch', { method: 'POST', headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/x-ndjson' }, body: `{"index":"${index}"}\n{"query":{"match_all":{}}}\n` }],
      ] as const) {
        const r = await timed(`${proxy.url}${path}`, init);
        console.log(JSON.stringify({ scenario: `${path} with a dripping upstream`, ms: r.ms, outcome: 'status' in r ? r.status : r.error }));
        // A 503, or a 200 whose body is cut: never a wait past the bound, never a complete answer.
        expect('error' in r ? r.error : `${r.status}`).not.toMatch(/^TimeoutError|^200/);
      }
    } finally {
      hole.mode = 'pass';
    }
  });

  it('readiness needs no token and says only up/down per dependency: Elasticsearch down while it hangs, up again after', async () => {
    expect(statusOf(await timed(`${proxy.url}/healthz`, {}))).toBe(200);
    const up = await timed(`${proxy.url}/readyz`, {});
    expect('status' in up && { status: up.status, body: JSON.parse(up.text) }).toEqual({ status: 200, body: { ok: true, checks: { ruleset: { ok: true }, takedowns: { ok: true }, elasticsearch: { ok: true } } } });
    hole.mode = 'hang';
    try {
      const down = await timed(`${proxy.url}/readyz`, {});
      console.log(JSON.stringify({ scenario: 'search readyz, Elasticsearch hung', answeredInMs: down.ms }));
      expect('status' in down && { status: down.status, body: JSON.parse(down.text) }).toEqual({ status: 503, body: { ok: false, checks: { ruleset: { ok: true }, takedowns: { ok: true }, elasticsearch: { ok: false } } } });
      // Liveness is the process alone: it answers whatever its dependencies do.
      expect(statusOf(await timed(`${proxy.url}/healthz`, {}))).toBe(200);
    } finally {
      hole.mode = 'pass';
    }
  });

  it('cuts the connection, with no second response, when the upstream stream fails after the headers went out', async () => {
    const logged: unknown[] = [];
    const origError = proxy.deps.logger.error.bind(proxy.deps.logger);
    proxy.deps.logger.error = ((...args: unknown[]) => {
      logged.push(args);
      return (origError as (...a: unknown[]) => void)(...args);
    }) as typeof proxy.deps.logger.error;
    hole.mode = 'truncate';
    try {
      const r = await timed(`${proxy.url}/${index}/_search`, searchInit(p.tokens.search, { query: { match_all: {} }, size: 50 }));
      // Headers went out with 200; the body never completes: the caller's read fails, it never sees a complete answer or an error body after it.
      expect('error' in r ? r.error : `completed with ${r.status}: ${r.text.slice(0, 80)}`).not.toMatch(/^completed|^TimeoutError/);
      console.log(JSON.stringify({ scenario: 'search, upstream stream cut after headers', failedAfterMs: r.ms }));
    } finally {
      hole.mode = 'pass';
      proxy.deps.logger.error = origError;
    }
    // The service lives on and answers the next search in full.
    const next = await timed(`${proxy.url}/${index}/_search`, searchInit(p.tokens.search));
    expect('status' in next && next.status).toBe(200);
    expect(JSON.stringify(logged)).not.toContain('ERR_HTTP_HEADERS_SENT');
  });
});

describe('search service with Redis hung', () => {
  let hole: BlackHole;
  let proxy: SearchProxy;
  beforeAll(async () => {
    hole = await startBlackHole(p.ctx.config.redis.url);
    proxy = await startSearchProxy({ ...p.ctx.config, redis: { ...p.ctx.config.redis, url: hole.url } });
  });
  afterAll(async () => {
    await proxy.stop();
    await hole.close();
  });

  it('answers 503 in Elasticsearch error shape for a token it must look up, and does not hang', async () => {
    const fresh = (await p.deps.tokens.create({ role: 'search', name: 'search-hung-redis', createdBy: 'test' })).token;
    const ok = await timed(`${proxy.url}/${index}/_search`, searchInit(p.tokens.search));
    expect('status' in ok && ok.status).toBe(200);
    hole.mode = 'hang';
    try {
      const r = await timed(`${proxy.url}/${index}/_search`, searchInit(fresh));
      console.log(JSON.stringify({ scenario: 'search, Redis hung', answeredInMs: r.ms }));
      expect('status' in r).toBe(true);
      if (!('status' in r)) return;
      expect(r.status).toBe(503);
      expect((JSON.parse(r.text) as { error: { type: string } }).error.type).toBe('takedown_unavailable_exception');
      expect(r.text).not.toContain('hung-doc');
    } finally {
      hole.mode = 'pass';
    }
  });
});

describe('search service with Redis hung, a token it has cached', () => {
  it('answers filtered results or 503 while the token is remembered (2 s), each without hanging, then 503', async () => {
    const hole = await startBlackHole(p.ctx.config.redis.url);
    const proxy = await startSearchProxy({ ...p.ctx.config, redis: { ...p.ctx.config.redis, url: hole.url } });
    try {
      const ok = await timed(`${proxy.url}/${index}/_search`, searchInit(p.tokens.search));
      expect('status' in ok && ok.status).toBe(200);
      hole.mode = 'hang';
      const hungAt = performance.now();
      const seen: { status: number | string; ms: number }[] = [];
      // Until the first 503: each answer is bounded; the cached token carries searches (still filtered) for its TTL at most.
      await eventually(async () => {
        const r = await timed(`${proxy.url}/${index}/_search`, searchInit(p.tokens.search));
        seen.push({ status: 'status' in r ? r.status : r.error, ms: r.ms });
        return 'status' in r && r.status === 503;
      }, 15_000);
      console.log(JSON.stringify({ scenario: 'search, Redis hung, cached token', firstUnavailableAfterMs: Math.round(performance.now() - hungAt), answers: seen.length, slowestMs: Math.max(...seen.map((x) => x.ms)) }));
      for (const x of seen) expect([200, 503]).toContain(x.status);
    } finally {
      hole.mode = 'pass';
      await proxy.stop();
      await hole.close();
    }
  });
});

/** The moderation API in this process, talking to Redis and Elasticsearch at these URLs (a black hole or the real server). */
async function apiOver(o: { redisUrl?: string; esUrl?: string; esTimeoutMs?: number; esScanTimeoutMs?: number }) {
  const logger = createLogger({ name: 'hung-api', level: p.ctx.config.logLevel });
  const deps = await buildApiDeps(
    {
      ...p.ctx.config,
      redis: { ...p.ctx.config.redis, url: o.redisUrl ?? p.ctx.config.redis.url },
      elasticsearch: { ...p.ctx.config.elasticsearch, url: o.esUrl ?? p.ctx.config.elasticsearch.url },
      port: 0,
      host: '127.0.0.1',
      leaseSeconds: 600,
      authFailuresPerMinute: 100_000,
      intake: { waitReplicas: 0, waitTimeoutMs: 250 },
      esTimeoutMs: o.esTimeoutMs ?? 3000,
      esScanTimeoutMs: o.esScanTimeoutMs ?? 20_000,
      ruleWorkers: p.deps.config.ruleWorkers,
      legal: { nonJudicialOutcome: 'needs_info', jurisdictions: [], accountsIndex: p.subscriberIndices.accounts, signInsIndex: p.subscriberIndices.signIns },
    },
    logger,
    { packageKeys: p.legalKeys },
  );
  const server: Server = await new Promise((resolve) => {
    const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    deps,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await deps.close();
    },
  };
}

describe('intake (POST /v1/reports) with Redis hung', () => {
  const report = (id: string): RequestInit => ({ method: 'POST', headers: { authorization: `Bearer ${p.tokens.reporter}`, 'content-type': 'application/json' }, body: JSON.stringify(reportBody(id)) });

  it('answers 503 with Retry-After when every Redis connection hangs, and does not hang', async () => {
    const hole = await startBlackHole(p.ctx.config.redis.url);
    const api = await apiOver({ redisUrl: hole.url });
    try {
      const ok = await timed(`${api.url}/v1/reports`, report('hung-intake-ok'));
      expect('status' in ok && ok.status).toBe(202);
      hole.mode = 'hang';
      const r = await timed(`${api.url}/v1/reports`, report('hung-intake-1'));
      console.log(JSON.stringify({ scenario: 'intake, Redis hung', answeredInMs: r.ms }));
      expect('status' in r).toBe(true);
      if (!('status' in r)) return;
      expect({ status: r.status, code: (JSON.parse(r.text) as { error: { code: string } }).error.code }).toEqual({ status: 503, code: 'redis_unavailable' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      hole.mode = 'pass';
      await api.stop();
      await hole.close();
    }
  });

  it('answers 503 with Retry-After when only the report queue hangs (the token lookup answers), and does not hang', async () => {
    const hole = await startBlackHole(p.ctx.config.redis.url);
    const api = await apiOver({});
    const queueConnection = createRedis(hole.url, requestPathQueueOptions('hung-queue'));
    const queue = new CatalogQueue('reports', queueConnection, p.ctx.config.queuePrefix);
    const own = api.deps.reports;
    api.deps.reports = queue;
    try {
      const ok = await timed(`${api.url}/v1/reports`, report('hung-queue-ok'));
      expect('status' in ok && ok.status).toBe(202);
      hole.mode = 'hang';
      const r = await timed(`${api.url}/v1/reports`, report('hung-queue-1'));
      console.log(JSON.stringify({ scenario: 'intake, report queue hung', answeredInMs: r.ms }));
      expect('status' in r).toBe(true);
      if (!('status' in r)) return;
      expect({ status: r.status, code: (JSON.parse(r.text) as { error: { code: string } }).error.code }).toEqual({ status: 503, code: 'queue_unavailable' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      hole.mode = 'pass';
      api.deps.reports = own;
      await queue.close().catch(() => undefined);
      queueConnection.disconnect();
      await api.stop();
      await hole.close();
    }
  });
});

describe('moderation API with Elasticsearch hung', () => {
  it('answers 503 with Retry-After for case lists, case detail, the dashboard and a rule preview, and does not hang', async () => {
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('hung-es-case'));
    const c = await eventually(() => p.deps.cases.get(caseIdFor('hung-es-case')));
    const hole = await startBlackHole(p.ctx.config.elasticsearch.url);
    // Bounds well under HANG_BOUND_MS: the previous client waited 30 s, three times.
    const api = await apiOver({ esUrl: hole.url, esTimeoutMs: 1000, esScanTimeoutMs: 1500 });
    const get = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });
    try {
      const ok = await timed(`${api.url}/v1/cases?size=1`, get(p.tokens.moderator));
      expect(statusOf(ok)).toBe(200);
      hole.mode = 'hang';
      const measured: Record<string, number> = {};
      for (const [what, path, token] of [
        ['case list', '/v1/cases', p.tokens.moderator],
        ['case detail', `/v1/cases/${c.id}`, p.tokens.moderator],
        ['dashboard', '/v1/stats', p.tokens.lead],
        ['rule preview', '/v1/rules/preview', p.tokens.lead],
      ] as const) {
        const r = await timed(`${api.url}${path}`, get(token));
        measured[what] = r.ms;
        expect({ what, answered: 'status' in r }).toEqual({ what, answered: true });
        if (!('status' in r)) continue;
        expect({ what, status: r.status, code: (JSON.parse(r.text) as { error: { code: string } }).error.code }).toEqual({ what, status: 503, code: 'elasticsearch_unavailable' });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.text).not.toContain('hung-es-case');
      }
      console.log(JSON.stringify({ scenario: 'moderation API, Elasticsearch hung (1 s, scans 1.5 s)', answeredInMs: measured }));
      // Redis-only paths go on: the queue depths answer.
      expect(statusOf(await timed(`${api.url}/v1/queues`, get(p.tokens.moderator)))).toBe(200);
    } finally {
      hole.mode = 'pass';
      await api.stop();
      await hole.close();
    }
  });
});

describe('ingest service with Elasticsearch hung', () => {
  it('answers 503 in Elasticsearch error shape after TAKEDOWN_INGEST_ES_TIMEOUT_MS, and does not hang', async () => {
    const hole = await startBlackHole(p.ctx.config.elasticsearch.url);
    const ingest = await startIngest({ ...p.ctx.config, elasticsearch: { ...p.ctx.config.elasticsearch, url: hole.url } }, { esTimeoutMs: 1000 });
    const put = (id: string): RequestInit => ({
      method: 'PUT',
      headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, type: 'post', text: 'fresh bread at the market', authorId: 'a1', createdAt: '2026-11-01T00:00:00Z' }),
    });
    try {
      const ok = await timed(`${ingest.url}/${index}/_doc/hung-ingest-ok`, put('hung-ingest-ok'));
      expect([200, 201]).toContain('status' in ok ? ok.status : 0);
      hole.mode = 'hang';
      const r = await timed(`${ingest.url}/${index}/_doc/hung-ingest-1`, put('hung-ingest-1'));
      console.log(JSON.stringify({ scenario: 'ingest, Elasticsearch hung (timeout 1 s)', answeredInMs: r.ms }));
      expect('status' in r).toBe(true);
      if (!('status' in r)) return;
      expect(r.status).toBe(503);
      expect((JSON.parse(r.text) as { error: { type: string } }).error.type).toBe('takedown_unavailable_exception');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      hole.mode = 'pass';
      await ingest.stop();
      await hole.close();
    }
  });
});

describe('ingest service probes', () => {
  it('/healthz and /readyz need no token and say only up/down per dependency', async () => {
    const ingest = await startIngest(p.ctx.config);
    try {
      expect((await fetch(`${ingest.url}/healthz`)).status).toBe(200);
      const r = await fetch(`${ingest.url}/readyz`);
      expect({ status: r.status, body: await r.json() }).toEqual({ status: 200, body: { ok: true, checks: { ruleset: { ok: true }, redis: { ok: true }, elasticsearch: { ok: true } } } });
      // Metrics stay behind a token.
      expect((await fetch(`${ingest.url}/metrics`)).status).toBe(401);
    } finally {
      await ingest.stop();
    }
  });
});
