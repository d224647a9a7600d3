import { COUNTRY_CODE_LIST } from '../domain/countries';

/**
 * Every environment variable Takedown reads is declared once, here or in a
 * service's own spec list built from these helpers. The README's
 * configuration table is checked against these lists by a unit test.
 */
/** `urlList`: one URL or several, comma-separated; kept as one string (each item checked). */
export type EnvType = 'string' | 'integer' | 'boolean' | 'url' | 'urlList' | 'list';

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
    // Not 'url': a redis+cluster:// URL lists several host:port pairs, which is no URI; redisTarget() checks it.
    type: 'string',
    pattern: '^(rediss?|rediss?\\+cluster)://',
    default: 'redis://127.0.0.1:6379',
    secret: true,
    description:
      'Redis for queues, leases and pub/sub (may carry a password, so never logged): `redis://` or `rediss://` for one node, or `redis+cluster://[user:pass@]host:port,host:port` (`rediss+cluster://` for TLS) for a Redis Cluster (Redis 7+). Production: AOF on.',
  },
  {
    name: 'REDIS_CLUSTER_NODES',
    key: 'redis.clusterNodes',
    type: 'list',
    pattern: '^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
    default: [],
    description:
      'Comma-separated host:port seed nodes of a Redis Cluster (Redis 7+). When set it wins over REDIS_URL, which then only lends its credentials and TLS (`rediss://`); a `redis+cluster://` REDIS_URL as well is refused. Empty = REDIS_URL decides.',
  },
  {
    name: 'ELASTICSEARCH_URL',
    key: 'elasticsearch.url',
    // Several nodes of one cluster, comma-separated: the client spreads
    // requests over them and retries a failed request on another node, so
    // losing one node does not take search or ingest down with it.
    type: 'urlList',
    pattern: '^https?://',
    default: 'http://127.0.0.1:9200',
    secret: true,
    description: 'Elasticsearch 8.x node or load balancer, or several nodes of one cluster comma-separated.',
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
    description: 'Base of every Redis key name. Each BullMQ queue gets its own hash tag from it (`{takedown:reports}`, `{takedown:actions}`…), so queues spread over Redis Cluster slots; the moderation and ruleset keys use it as it is.',
  },
  {
    name: 'TAKEDOWN_CASE_SHARDS',
    key: 'caseShards',
    type: 'integer',
    minimum: 1,
    maximum: 256,
    default: 16,
    description: 'Case store shards (Redis hash tags), so cases spread over Redis Cluster slots. Recorded in Redis at first boot: a process started with another count refuses to start.',
  },
];

/** How long a claimed case stays with its moderator without a heartbeat. Read by the API (and triage, which never leases). */
const leaseSeconds: EnvVarSpec = {
  name: 'TAKEDOWN_LEASE_SECONDS',
  key: 'leaseSeconds',
  type: 'integer',
  minimum: 5,
  maximum: 86400,
  default: 600,
  description: 'Review lease length; a case not heartbeated for this long returns to its queue.',
};

/**
 * A worker's metrics endpoint (its only HTTP port): `<PREFIX>_METRICS_HOST`
 * and `<PREFIX>_METRICS_PORT`, each worker with its own default port so they
 * can share a host. Read into `metrics.host` and `metrics.port`.
 */
function workerMetricsEnvVars(prefix: string, worker: string, port: number): EnvVarSpec[] {
  return [
    {
      name: `${prefix}_METRICS_PORT`,
      key: 'metrics.port',
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: port,
      description: `Port of the ${worker}'s \`GET /metrics\` (Prometheus; a token of role metrics or admin). 0 = any free port (logged).`,
    },
    {
      name: `${prefix}_METRICS_HOST`,
      key: 'metrics.host',
      type: 'string',
      default: '0.0.0.0',
      description: `Interface the ${worker}'s metrics endpoint listens on.`,
    },
  ];
}

/** workers/triage */
export const triageEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_TRIAGE_CONCURRENCY',
    key: 'concurrency',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 16,
    description: 'Reports one triage process works on at once.',
  },
  leaseSeconds,
  ...workerMetricsEnvVars('TAKEDOWN_TRIAGE', 'triage worker', 9191),
];

/** workers/actions */
export const actionsEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_ACTIONS_CONCURRENCY',
    key: 'concurrency',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 8,
    description: 'Decisions one actions process applies at once.',
  },
  leaseSeconds,
  ...workerMetricsEnvVars('TAKEDOWN_ACTIONS', 'actions worker', 9192),
];

/** Services that authenticate callers (moderation API, search, ingest). */
const authFailuresPerMinute: EnvVarSpec = {
  name: 'TAKEDOWN_AUTH_FAILURES_PER_MINUTE',
  key: 'authFailuresPerMinute',
  type: 'integer',
  minimum: 1,
  maximum: 1000000,
  default: 300,
  description: 'Token lookups that find no live token, per client address per minute, before that address gets 429 (keeps guessing runs off Redis).',
};

/**
 * Durable acknowledgement of reports (moderation API intake, ingest's
 * automated reports): after the job is added, WAIT for this many replicas of
 * the master holding the job's slot. Read by the processes that add reports.
 */
export const intakeEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'TAKEDOWN_INTAKE_WAIT_REPLICAS',
    key: 'intake.waitReplicas',
    type: 'integer',
    minimum: 0,
    maximum: 16,
    default: 0,
    description:
      'A report is acknowledged (202) only once this many replicas of the Redis master holding its job confirm it (WAIT); fewer in time answers 503 with Retry-After. 0 = acknowledged once the master has it (a single node has no replica). Use 1+ with replicas or a cluster.',
  },
  {
    name: 'TAKEDOWN_INTAKE_WAIT_TIMEOUT_MS',
    key: 'intake.waitTimeoutMs',
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    default: 250,
    description: 'How long intake waits for TAKEDOWN_INTAKE_WAIT_REPLICAS replicas to confirm a report before answering 503.',
  },
];

/**
 * Per-token rate limits of the moderation API (shared/src/http/rate-limits.ts):
 * counted in Redis across processes, 429 with Retry-After past them.
 */
export const rateLimitEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'TAKEDOWN_RATE_INTAKE_POINTS',
    key: 'rateLimits.intake.points',
    type: 'integer',
    minimum: 0,
    maximum: 10000000,
    default: 6000,
    description: 'Reports (POST /v1/reports) one token may file per TAKEDOWN_RATE_INTAKE_SECONDS before 429 with Retry-After. 0 = no limit.',
  },
  {
    name: 'TAKEDOWN_RATE_INTAKE_SECONDS',
    key: 'rateLimits.intake.durationSeconds',
    type: 'integer',
    minimum: 1,
    maximum: 86400,
    default: 60,
    description: 'The window of TAKEDOWN_RATE_INTAKE_POINTS, in seconds.',
  },
  {
    name: 'TAKEDOWN_RATE_CLAIM_POINTS',
    key: 'rateLimits.claims.points',
    type: 'integer',
    minimum: 0,
    maximum: 10000000,
    default: 120,
    description: 'Claims (POST /v1/review/claim) one token may make per TAKEDOWN_RATE_CLAIM_SECONDS before 429 with Retry-After. 0 = no limit.',
  },
  {
    name: 'TAKEDOWN_RATE_CLAIM_SECONDS',
    key: 'rateLimits.claims.durationSeconds',
    type: 'integer',
    minimum: 1,
    maximum: 86400,
    default: 60,
    description: 'The window of TAKEDOWN_RATE_CLAIM_POINTS, in seconds.',
  },
];

/**
 * The legal desk's variables: where the platform keeps subscriber data, and
 * the keys packages are signed and encrypted with. Read by whichever process
 * builds or serves disclosure packages (added to its own spec list).
 */
export const legalEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'TAKEDOWN_ACCOUNTS_INDEX',
    key: 'legal.accountsIndex',
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_.-]{0,200}$',
    default: 'platform-accounts',
    description: "The platform's accounts index or alias (accountId, username, phone, phoneCountry, createdAt); the legal desk reads only accountId, phone and phoneCountry.",
  },
  {
    name: 'TAKEDOWN_SIGNINS_INDEX',
    key: 'legal.signInsIndex',
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_.*-]{0,200}$',
    default: 'platform-signins',
    description: "The platform's sign-ins index, alias or pattern (accountId, ip, at).",
  },
  {
    name: 'TAKEDOWN_LEGAL_SIGNING_KEY',
    key: 'legal.signingKey',
    type: 'string',
    secret: true,
    description: 'Ed25519 private key disclosure packages are signed with: PKCS#8 PEM (literal \\n allowed) or the base64 32-byte seed. Required in production; development uses a key pair kept under the data dir.',
  },
  {
    name: 'TAKEDOWN_LEGAL_ENCRYPTION_KEY',
    key: 'legal.encryptionKey',
    type: 'string',
    pattern: '^[A-Za-z0-9+/]{43}=$',
    secret: true,
    description: 'AES-256-GCM key disclosure packages are encrypted with at rest: 32 bytes, base64. Required in production; development uses a key kept under the data dir.',
  },
];

/** The legal desk's policy (moderation API): what the intake check does. */
export const legalPolicyEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'TAKEDOWN_LEGAL_NON_JUDICIAL_OUTCOME',
    key: 'legal.nonJudicialOutcome',
    type: 'string',
    enum: ['needs_info', 'reject'],
    default: 'needs_info',
    description: 'What happens to a records request without a judicial order (court order, warrant, production order) stating a suspect: sent back for information, or rejected.',
  },
  {
    name: 'TAKEDOWN_LEGAL_JURISDICTIONS',
    key: 'legal.jurisdictions',
    type: 'list',
    enum: COUNTRY_CODE_LIST,
    default: [],
    description: 'Comma-separated ISO 3166-1 alpha-2 countries whose agencies’ requests are accepted; empty = every country.',
  },
];

/** The moderation API's rule workers: threads that run rule import, publish validation and preview matching off its event loop. */
const ruleWorkerEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'TAKEDOWN_RULE_WORKERS',
    key: 'ruleWorkers.size',
    type: 'integer',
    minimum: 1,
    maximum: 32,
    default: 1,
    description: 'Worker threads for CPU-heavy rule work (import parsing, publish validation, preview matching), so claims and heartbeats keep answering meanwhile. Keep it below the cores available.',
  },
  {
    name: 'TAKEDOWN_RULE_TASK_TIMEOUT_MS',
    key: 'ruleWorkers.taskTimeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 600000,
    default: 60000,
    description: 'A rule task (import, publish check, preview) running longer is abandoned: its worker is killed and replaced, the request gets 503.',
  },
  {
    name: 'TAKEDOWN_RULE_TASK_QUEUE',
    key: 'ruleWorkers.maxQueued',
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    default: 8,
    description: 'Rule tasks waiting for a free worker beyond this are refused with 503 and Retry-After, instead of piling up in memory.',
  },
];

/** services/moderation-api: the dashboard's history in Redis. */
const statsEnvVars: readonly EnvVarSpec[] = [
  {
    name: 'TAKEDOWN_STATS_INTERVAL_SECONDS',
    key: 'stats.intervalSeconds',
    type: 'integer',
    minimum: 1,
    maximum: 3600,
    default: 10,
    description: 'The dashboard history is sampled once per this many seconds (one sample per slot across every API replica).',
  },
  {
    name: 'TAKEDOWN_STATS_RETENTION_DAYS',
    key: 'stats.retentionDays',
    type: 'integer',
    minimum: 1,
    maximum: 90,
    default: 7,
    description: 'Dashboard history older than this is trimmed.',
  },
];

/** services/moderation-api */
export const apiEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_API_PORT',
    key: 'port',
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'Port of the moderation API (and console).',
  },
  {
    name: 'TAKEDOWN_API_HOST',
    key: 'host',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the moderation API listens on.',
  },
  {
    name: 'TAKEDOWN_API_ES_TIMEOUT_MS',
    key: 'esTimeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 60000,
    default: 3000,
    description: 'How long one Elasticsearch request made for an API request (case lists and details, the dashboard) may wait, without retry, before the API answers 503.',
  },
  {
    name: 'TAKEDOWN_API_ES_SCAN_TIMEOUT_MS',
    key: 'esScanTimeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 600000,
    default: 20000,
    description: 'The same bound for the API requests that count or read over a whole index or read large documents: rule previews, audit-chain verification pages, the legal desk (its store, packages read whole, subscriber look-ups).',
  },
  leaseSeconds,
  authFailuresPerMinute,
  ...rateLimitEnvVars,
  ...intakeEnvVars,
  ...ruleWorkerEnvVars,
  ...statsEnvVars,
  ...legalPolicyEnvVars,
  // Targets are resolved and packages read back (decrypted) by the API.
  ...legalEnvVars,
];

/** services/search */
export const searchEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_SEARCH_PORT',
    key: 'port',
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 8090,
    description: 'Port of the search service (the filtering Elasticsearch proxy).',
  },
  {
    name: 'TAKEDOWN_SEARCH_HOST',
    key: 'host',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the search service listens on.',
  },
  {
    name: 'TAKEDOWN_SEARCH_INDICES',
    key: 'searchIndices',
    type: 'list',
    pattern: '^[a-z0-9][a-z0-9_.-]{0,200}$',
    default: [],
    description: 'Index or alias names the platform may search through the proxy (exact names); empty = TAKEDOWN_CONTENT_INDEX only.',
  },
  {
    name: 'TAKEDOWN_SEARCH_MAX_STALENESS_MS',
    key: 'maxStalenessMs',
    type: 'integer',
    minimum: 1000,
    maximum: 600000,
    default: 10000,
    description: 'Refuse searches (503) when the published ruleset version has not been confirmed in Redis for this long.',
  },
  {
    name: 'TAKEDOWN_SEARCH_ES_TIMEOUT_MS',
    key: 'esTimeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 60000,
    default: 1000,
    description: 'How long one search, count or msearch may wait for Elasticsearch (no retry) before the service answers 503.',
  },
  {
    name: 'TAKEDOWN_SEARCH_GEO_MAPPING_TTL_MS',
    key: 'geoMappingTtlMs',
    type: 'integer',
    minimum: 1000,
    maximum: 600000,
    default: 30000,
    description: 'How long the geo gates of feature switches trust a search index mapping (field aliases, copy_to) before reading it again.',
  },
  {
    name: 'TAKEDOWN_SEARCH_QUERY_LOG_SAMPLE',
    key: 'queryLogSampleEvery',
    type: 'integer',
    minimum: 1,
    maximum: 1000000,
    default: 10,
    description: 'The query log kept for rule previews takes about one search in this many (chosen at random; 1 = every search).',
  },
  authFailuresPerMinute,
];

/** services/ingest */
export const ingestEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_INGEST_PORT',
    key: 'port',
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 8070,
    description: "Port of the ingest service (the platform's indexer writes through it).",
  },
  {
    name: 'TAKEDOWN_INGEST_HOST',
    key: 'host',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the ingest service listens on.',
  },
  {
    name: 'TAKEDOWN_INGEST_MAX_BODY_BYTES',
    key: 'maxBodyBytes',
    type: 'integer',
    minimum: 1024,
    maximum: 1073741824,
    default: 104857600,
    description: "Largest request body (a whole _bulk) the ingest service reads; Elasticsearch's own default is 100 MB.",
  },
  {
    name: 'TAKEDOWN_INGEST_MAX_DOC_BYTES',
    key: 'maxDocBytes',
    type: 'integer',
    minimum: 256,
    maximum: 104857600,
    default: 1048576,
    description: 'Largest single document; a larger one is refused as its own item, the rest of the bulk goes on.',
  },
  {
    name: 'TAKEDOWN_INGEST_ES_TIMEOUT_MS',
    key: 'esTimeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 300000,
    default: 10000,
    description: 'How long one read or bulk write of an ingest round may wait for Elasticsearch (no retry) before the request answers 503.',
  },
  {
    name: 'TAKEDOWN_INGEST_MAX_STALENESS_MS',
    key: 'maxStalenessMs',
    type: 'integer',
    minimum: 1000,
    // The backfill sweeps TAKEDOWN_BACKFILL_SETTLE_MS (30 s) after a publish: an instance must not write older verdicts later.
    maximum: 20000,
    default: 10000,
    description: 'Refuse writes (503) when the published ruleset has not been confirmed current for this long: nothing is stored unscanned.',
  },
  authFailuresPerMinute,
  ...intakeEnvVars,
];

/** workers/backfill */
export const backfillEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_BACKFILL_DOCS_PER_SEC',
    key: 'docsPerSec',
    type: 'integer',
    minimum: 1,
    maximum: 1000000,
    default: 2000,
    description: 'Throttle: documents the backfill tags per second at most (per process), so it never starves the platform’s own indexing.',
  },
  {
    name: 'TAKEDOWN_BACKFILL_SETTLE_MS',
    key: 'settleMs',
    type: 'integer',
    minimum: 0,
    maximum: 600000,
    default: 30000,
    description: 'How long after a publish the backfill sweeps the documents written with the previous version: at least TAKEDOWN_INGEST_MAX_STALENESS_MS plus the clock skew between hosts.',
  },
  {
    name: 'TAKEDOWN_BACKFILL_SLICES',
    key: 'slices',
    type: 'integer',
    minimum: 1,
    maximum: 32,
    default: 2,
    description: 'Parallel sliced scrolls per backfill job.',
  },
  ...workerMetricsEnvVars('TAKEDOWN_BACKFILL', 'backfill worker', 9193),
];

/** workers/legal: builds, signs and encrypts packages, copies preserved sign-ins. */
export const legalWorkerEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  ...legalEnvVars,
  {
    name: 'TAKEDOWN_LEGAL_CONCURRENCY',
    key: 'concurrency',
    type: 'integer',
    minimum: 1,
    maximum: 64,
    default: 2,
    description: 'Legal jobs (packages, preservations, notices) one legal worker process runs at once.',
  },
  {
    name: 'TAKEDOWN_LEGAL_PACKAGE_RETENTION_DAYS',
    key: 'packageRetentionDays',
    type: 'integer',
    minimum: 1,
    maximum: 3650,
    default: 30,
    description: 'Days a disclosure package is kept (encrypted) for download before the legal worker deletes it.',
  },
  {
    name: 'TAKEDOWN_LEGAL_SWEEP_MS',
    key: 'sweepMs',
    type: 'integer',
    minimum: 100,
    maximum: 3600000,
    default: 30000,
    description: 'How often the legal worker re-enqueues approved requests without their package or preservation, releases lapsed gag holds and deletes expired packages and preservations.',
  },
  ...workerMetricsEnvVars('TAKEDOWN_LEGAL', 'legal worker', 9194),
];

/** workers/dsa-submitter: sends stored statements of reasons to the EU DSA Transparency Database. */
export const dsaSubmitterEnvVars: readonly EnvVarSpec[] = [
  ...coreEnvVars,
  {
    name: 'TAKEDOWN_TDB_URL',
    key: 'tdb.url',
    type: 'string',
    pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
    description:
      'Base URL of the DSA Transparency Database API (e.g. `https://transparency.dsa.ec.europa.eu`, or the sandbox); statements go to `<url>/api/v1/statements`. https (http only to localhost). Empty = submission off: statements stay pending.',
  },
  {
    name: 'TAKEDOWN_TDB_TOKEN',
    key: 'tdb.token',
    type: 'string',
    secret: true,
    description: "The platform's API token for the Transparency Database (sent as a Bearer token; never logged). Required when TAKEDOWN_TDB_URL is set.",
  },
  {
    name: 'TAKEDOWN_TDB_BATCH_SIZE',
    key: 'tdb.batchSize',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 100,
    description: 'Statements per call to the database (its bulk call takes 1 to 100, all or nothing).',
  },
  {
    name: 'TAKEDOWN_TDB_INTERVAL_MS',
    key: 'tdb.intervalMs',
    type: 'integer',
    minimum: 100,
    maximum: 3600000,
    default: 10000,
    description: 'How long the submitter waits after finding nothing due before it looks again (a full batch is followed by the next at once).',
  },
  {
    name: 'TAKEDOWN_TDB_TIMEOUT_MS',
    key: 'tdb.timeoutMs',
    type: 'integer',
    minimum: 100,
    maximum: 600000,
    default: 30000,
    description: 'Timeout of one call to the database; a call that times out is retried (a duplicate puid on the retry counts as submitted).',
  },
  {
    name: 'TAKEDOWN_TDB_MAX_ATTEMPTS',
    key: 'tdb.maxAttempts',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 10,
    description: 'Calls that failed in transport (timeout, connection error, 429, 5xx) a statement may take part in before it is marked failed (a lead can requeue it).',
  },
  {
    name: 'TAKEDOWN_TDB_BACKOFF_BASE_MS',
    key: 'tdb.backoffBaseMs',
    type: 'integer',
    minimum: 1,
    maximum: 3600000,
    default: 5000,
    description: 'First retry delay after a transport failure; it doubles per attempt, with jitter, up to TAKEDOWN_TDB_BACKOFF_CAP_MS (a Retry-After from the database wins when longer).',
  },
  {
    name: 'TAKEDOWN_TDB_BACKOFF_CAP_MS',
    key: 'tdb.backoffCapMs',
    type: 'integer',
    minimum: 1,
    maximum: 86400000,
    default: 900000,
    description: 'Longest retry delay, and the pause after the database refuses the token (401/403) before trying again.',
  },
  ...workerMetricsEnvVars('TAKEDOWN_DSA_SUBMITTER', 'DSA submitter', 9195),
];
