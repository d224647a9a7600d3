import { createLogger, type CoreConfig } from '@takedown/shared';
import { buildIngestDeps, createIngestApp, type IngestDeps } from '@takedown/ingest-service';
import { listenLocally } from './listen';

export interface IngestService {
  url: string;
  deps: IngestDeps;
  stop(): Promise<void>;
}

/** The ingest service in this process on an ephemeral port, over the given config. */
export async function startIngest(config: CoreConfig, opts: { maxDocBytes?: number; maxStalenessMs?: number; authFailuresPerMinute?: number; esTimeoutMs?: number; intake?: { waitReplicas: number; waitTimeoutMs: number } } = {}): Promise<IngestService> {
  const logger = createLogger({ name: 'ingest-test', level: config.logLevel });
  const deps = await buildIngestDeps(
    { ...config, port: 0, host: '127.0.0.1', maxBodyBytes: 100 * 1024 * 1024, maxDocBytes: opts.maxDocBytes ?? 1024 * 1024, maxStalenessMs: opts.maxStalenessMs ?? 10000, esTimeoutMs: opts.esTimeoutMs ?? 10000, authFailuresPerMinute: opts.authFailuresPerMinute ?? 100_000, intake: opts.intake ?? { waitReplicas: 0, waitTimeoutMs: 250 } },
    logger,
  );
  return { ...(await listenLocally(createIngestApp(deps), () => deps.close())), deps };
}
