/**
 * Every environment variable Takedown reads is declared once, here or in a
 * service's own spec list built from these helpers. The README's
 * configuration table is checked against these lists by a unit test.
 */
export type EnvType = 'string' | 'integer' | 'boolean' | 'url' | 'list';

export interface EnvVarSpec {
  /** Environment variable name. */
  readonly name: string;
  /** Dot path of the value in the config object. */
  readonly key: string;
  readonly type: EnvType;
  readonly description: string;
  readonly default?: string | number | boolean | readonly string[];
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  /** Pattern the string (or each list item) must match. */
  readonly pattern?: string;
  /** Never logged, never echoed in errors. */
  readonly secret?: boolean;
}

/** Variables every Takedown process reads. */
export const coreEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'NODE_ENV',
    key: 'env',
    type: 'string',
    enum: ['development', 'test', 'production'],
    default: 'development',
    description: 'Runtime mode; production turns off demo conveniences.',
  },
  {
    name: 'LOG_LEVEL',
    key: 'logLevel',
    type: 'string',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'pino log level.',
  },
  {
    name: 'REDIS_URL',
    key: 'redis.url',
    type: 'url',
    pattern: '^rediss?://',
    default: 'redis://127.0.0.1:6379',
    secret: true,
    description: 'Redis for queues, leases and pub/sub (may carry a password, so never logged). Production: AOF on.',
  },
  {
    name: 'ELASTICSEARCH_URL',
    key: 'elasticsearch.url',
    type: 'url',
    pattern: '^https?://',
    default: 'http://127.0.0.1:9200',
    secret: true,
    description: 'Elasticsearch 8.x node or load balancer.',
  },
  {
    name: 'ELASTICSEARCH_API_KEY',
    key: 'elasticsearch.apiKey',
    type: 'string',
    secret: true,
    description: 'Optional Elasticsearch API key (base64 id:key).',
  },
  {
    name: 'ELASTICSEARCH_USERNAME',
    key: 'elasticsearch.username',
    type: 'string',
    description: 'Optional basic-auth user for Elasticsearch.',
  },
  {
    name: 'ELASTICSEARCH_PASSWORD',
    key: 'elasticsearch.password',
    type: 'string',
    secret: true,
    description: 'Optional basic-auth password for Elasticsearch.',
  },
  {
    name: 'ELASTICSEARCH_REQUEST_TIMEOUT_MS',
    key: 'elasticsearch.requestTimeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 600000,
    default: 30000,
    description: 'Per-request timeout towards Elasticsearch.',
  },
  {
    name: 'TAKEDOWN_ES_REPLICAS',
    key: 'elasticsearch.replicas',
    type: 'integer',
    minimum: 0,
    maximum: 5,
    default: 0,
    description: 'number_of_replicas for the indices Takedown creates (0 suits one dev node; use 1+ in production).',
  },
  {
    name: 'TAKEDOWN_INDEX_PREFIX',
    key: 'indexPrefix',
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_-]{0,40}$',
    default: 'takedown',
    description: 'Prefix of the indices Takedown owns (cases, rulesets, audit, statements).',
  },
  {
    name: 'TAKEDOWN_CONTENT_INDEX',
    key: 'contentIndex',
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_.-]{0,200}$',
    default: 'platform-content',
    description: "The platform's content index or alias; Takedown adds and reads its moderation.* fields.",
  },
  {
    name: 'TAKEDOWN_QUEUE_PREFIX',
    key: 'queuePrefix',
    type: 'string',
    pattern: '^\\{[a-zA-Z0-9_-]{1,40}\\}$',
    default: '{takedown}',
    description: 'BullMQ key prefix; the braces are a Redis Cluster hash tag so every queue key lands in one slot.',
  },
];
