import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { CoreConfig } from '../config/load-config';

export { Client as ElasticsearchClient };

/** The node URLs in an ELASTICSEARCH_URL value: one, or several comma-separated. */
export function elasticsearchNodes(url: string): string[] {
  return url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/**
 * One client per process: it holds a keep-alive connection pool, so building
 * one per request would throw the pool away.
 */
export function createElasticsearch(config: CoreConfig['elasticsearch'], extra: Partial<ClientOptions> = {}): Client {
  const nodes = elasticsearchNodes(config.url);
  const options: ClientOptions = {
    // Several nodes: the client's pool round-robins over them and, when one
    // fails (connection refused, timeout), marks it dead for a while and
    // retries the request on another one (maxRetries).
    ...(nodes.length > 1 ? { nodes } : { node: nodes[0] ?? config.url }),
    requestTimeout: config.requestTimeoutMs,
    maxRetries: 2,
    compression: false,
    ...extra,
  };
  if (config.apiKey) options.auth = { apiKey: config.apiKey };
  else if (config.username && config.password) {
    options.auth = { username: config.username, password: config.password };
  }
  return new Client(options);
}

/** A version conflict (409): a create of an id that exists, or a write guarded by seq_no that lost to another writer. */
export function isEsConflict(err: unknown): boolean {
  return (err as { meta?: { statusCode?: number } } | undefined)?.meta?.statusCode === 409;
}
