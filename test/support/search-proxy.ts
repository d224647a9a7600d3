import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger, type CoreConfig } from '@takedown/shared';
import { buildSearchDeps, createSearchApp, type SearchDeps } from '@takedown/search-service';

export interface SearchProxy {
  url: string;
  deps: SearchDeps;
  stop(): Promise<void>;
}

/** The search service in this process on an ephemeral port, over the given config. */
export async function startSearchProxy(config: CoreConfig, opts: { maxStalenessMs?: number } = {}): Promise<SearchProxy> {
  const logger = createLogger({ name: 'search-test', level: config.logLevel });
  const deps = await buildSearchDeps({ ...config, port: 0, host: '127.0.0.1', searchIndices: [], maxStalenessMs: opts.maxStalenessMs ?? 10000 }, logger);
  const server: Server = await new Promise((resolve) => {
    const s = createSearchApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deps,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await deps.close();
    },
  };
}
