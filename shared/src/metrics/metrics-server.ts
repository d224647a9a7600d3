import type { AddressInfo } from 'node:net';
import express from 'express';
import { SCRAPE_ROLES } from '../auth/roles';
import { TokenStore } from '../auth/token-store';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter';
import { PrincipalCache, esAuthenticate } from '../http/es-auth';
import { esErrorHandler } from '../http/es-error';
import { sharedAuthFailures } from '../http/rate-limits';
import { securityHeaders } from '../http/security-headers';
import type { Logger } from '../logging/logger';
import type { ModerationKeys } from '../moderation/keys';
import type { RedisClient } from '../clients/redis';
import { METRICS_CONTENT_TYPE, type ProcessMetrics } from './process-metrics';

/** Failed token lookups per client address per minute on a worker's metrics port before 429. */
const AUTH_FAILURES_PER_MINUTE = 300;

/** What a worker's config holds for its metrics endpoint (workerMetricsEnvVars). */
export interface WorkerMetricsConfig {
  metrics: { host: string; port: number };
}

export interface MetricsServer {
  /** The port it listens on (the configured one, or the one picked for port 0). */
  port: number;
  stop(): Promise<void>;
}

/**
 * A worker's only HTTP endpoint: `GET /metrics` for a token of a scrape role
 * (SCRAPE_ROLES), looked up in the token store the services use, through
 * the same short-lived principal cache. 401 without a token, 403 for another
 * role, in the services' error shape. Every request is bounded in time.
 */
export async function serveWorkerMetrics(o: { name: string; metrics: ProcessMetrics; redis: RedisClient; keys: ModerationKeys; host: string; port: number; logger: Logger }): Promise<MetricsServer> {
  const principals = new PrincipalCache(
    new TokenStore(o.redis, o.keys),
    new FailedAuthLimiter(AUTH_FAILURES_PER_MINUTE, undefined, undefined, sharedAuthFailures(o.redis, o.keys.base, `metrics:${o.metrics.service}`, AUTH_FAILURES_PER_MINUTE)),
  );
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.get('/metrics', esAuthenticate(principals, SCRAPE_ROLES, `the ${o.name} metrics`), (_req, res, next) => {
    o.metrics.exposition().then((text) => res.type(METRICS_CONTENT_TYPE).send(text), next);
  });
  app.use(esErrorHandler({ logger: o.logger }));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const s = app.listen(o.port, o.host, () => resolve(s));
    s.once('error', reject);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ host: o.host, port }, `${o.name} metrics listening`);
  return {
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
