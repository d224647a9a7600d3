// `npx takedown <command>`. Machine-readable results go to stdout (a new
// token alone, so `TOKEN=$(npx takedown token create ...)` works); messages
// go to stderr. Composition root: the environment and the config are read
// here, once, and the stores and clients built here are closed here.
import fs from 'node:fs';
import path from 'node:path';
import {
  DEV_KEY_FILES,
  LegalStore,
  PeopleStore,
  TokenStore,
  UnavailableError,
  coreEnvVars,
  createElasticsearch,
  createRedisClient,
  loadConfig,
  migrateLegacyTokens,
  openModerationKeys,
  redisTarget,
  takedownIndexNames,
  type CoreConfig,
  type ElasticsearchClient,
  type RedisClient,
} from '@takedown/shared';
import { apiClient } from './api-client';
import type { CliContext } from './cli-context';
import { checkHidden } from './demo-check';
import { UsageError } from './exit-codes';
import { runCli } from './program';
import { resolveEnv } from './resolve-env';

const ROOT = path.resolve(__dirname, '..', '..');
/** Bounds every Redis command, so a Redis that accepts the connection and never answers fails the command (exit 3). */
const REDIS_COMMAND_TIMEOUT_MS = 10_000;

async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const version = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  let config: CoreConfig | undefined;
  let redis: RedisClient | undefined;
  let redisError: Error | undefined;
  let es: ElasticsearchClient | undefined;
  let tokens: Promise<TokenStore> | undefined;

  // Read only when a command needs the stores, so `legal verify` and `--help` need no settings.
  const coreConfig = () => (config ??= loadConfig(resolveEnv(env, ROOT), coreEnvVars));
  const openRedis = async (connectionName: string): Promise<RedisClient> => {
    if (!redis) {
      redis = createRedisClient(redisTarget(coreConfig().redis), { connectionName, maxRetriesPerRequest: 2, commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS });
      // ioredis reports connection failures as events; without a listener it prints each to stderr. The command's own failure says it once.
      redis.on('error', (err: Error) => (redisError = err));
      try {
        await redis.ping();
      } catch (err) {
        const reason = (redisError as NodeJS.ErrnoException | undefined)?.code ?? (err as Error).message;
        throw new UnavailableError(`Redis did not answer (${reason})`, 'redis_unavailable', { cause: err });
      }
    }
    return redis;
  };
  const openEs = () => (es ??= createElasticsearch(coreConfig().elasticsearch));

  const ctx: CliContext = {
    io: {
      stdout: (s) => void process.stdout.write(s),
      stderr: (s) => void process.stderr.write(s),
      stderrIsTTY: process.stderr.isTTY === true,
    },
    version,
    actor: `cli:${env['USER'] ?? 'unknown'}`,
    tokenStore: () =>
      (tokens ??= (async () => {
        const r = await openRedis('takedown-cli');
        const keys = await openModerationKeys(r, coreConfig());
        // An agency person's grant must name an agency registered on the legal desk (its registry is in Elasticsearch, read only when asked).
        const agencyExists = async (id: string) => (await new LegalStore(openEs(), takedownIndexNames(coreConfig().indexPrefix)).getAgency(id)) !== undefined;
        const store = new TokenStore(r, keys, new PeopleStore(r, keys, { agencyExists }));
        await migrateLegacyTokens(r, keys, store);
        return store;
      })()),
    api: () => {
      const token = env['TAKEDOWN_TOKEN'];
      if (!token) throw new UsageError('set TAKEDOWN_TOKEN to a lead token (npx takedown token create --role lead --name you)', 'TAKEDOWN_TOKEN');
      return apiClient(env['TAKEDOWN_API_URL'] || 'http://127.0.0.1:8080', token);
    },
    demoCheck: async () => {
      const c = coreConfig();
      const searchUrl = env['TAKEDOWN_SEARCH_URL'] || 'http://127.0.0.1:8090';
      const result = await checkHidden({ es: openEs(), redis: await openRedis('takedown-demo-check'), contentIndex: c.contentIndex, queuePrefix: c.queuePrefix, searchUrl });
      return { ...result, contentIndex: c.contentIndex, searchUrl };
    },
    // The development public key `npm start` made for this checkout.
    devPublicKeyFile: path.join(path.resolve(ROOT, env['TAKEDOWN_DATA_DIR'] || '.data'), 'legal-keys', DEV_KEY_FILES.publicKey),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };

  try {
    return await runCli(argv, ctx);
  } finally {
    redis?.disconnect();
    await es?.close();
  }
}

// A reader that stops early (`npx takedown --help | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // runCli answers every failure itself; this is only a failure to close.
    process.stderr.write(`takedown: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
