import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { CoreConfig } from '../config/load-config';

export { Client as ElasticsearchClient };

/**
 * One client per process: it holds a keep-alive connection pool, so building
 * one per request would throw the pool away.
 */
export function createElasticsearch(config: CoreConfig['elasticsearch'], extra: Partial<ClientOptions> = {}): Client {
  const options: ClientOptions = {
    node: config.url,
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
