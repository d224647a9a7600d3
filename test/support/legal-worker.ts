import type { Worker } from 'bullmq';
import { createLogger, loadConfig, legalWorkerEnvVars } from '@takedown/shared';
import { buildLegalWorkerDeps, createLegalWorkers, type LegalMetrics, type LegalWorkerConfig, type LegalWorkerDeps } from '@takedown/legal-worker';
import type { Pipeline } from './pipeline';

export interface LegalWorkerHandle {
  deps: LegalWorkerDeps;
  /** Starts the queue workers (not before: a test may first arrange what they will find). */
  run(): void;
  stop(): Promise<void>;
}

/** The legal worker in this process, on the pipeline's Redis, Elasticsearch and prefixes; its queue workers start with run(). */
export async function startLegalWorker(p: Pipeline, opts: { retentionDays?: number; metrics?: (deps: LegalWorkerDeps) => LegalMetrics } = {}): Promise<LegalWorkerHandle> {
  const base = loadConfig<LegalWorkerConfig>({ ...process.env, LOG_LEVEL: 'silent' }, legalWorkerEnvVars);
  const config: LegalWorkerConfig = {
    ...base,
    ...p.ctx.config,
    legal: { ...base.legal, accountsIndex: p.subscriberIndices.accounts, signInsIndex: p.subscriberIndices.signIns },
    concurrency: 2,
    packageRetentionDays: opts.retentionDays ?? 30,
    sweepMs: 60_000,
  };
  const logger = createLogger({ name: 'legal-test', level: p.ctx.config.logLevel });
  const built = await buildLegalWorkerDeps(config, logger, { packageKeys: p.legalKeys });
  const deps = opts.metrics ? { ...built, metrics: opts.metrics(built) } : built;
  let workers: Worker[] = [];
  return {
    deps,
    run() {
      if (workers.length === 0) workers = createLegalWorkers(deps, { connection: p.ctx.bullConnection, prefix: p.ctx.config.queuePrefix, concurrency: 2, logger, tuning: { stalledInterval: 1000, lockDuration: 5000 } });
    },
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      await deps.close();
    },
  };
}
