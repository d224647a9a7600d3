/**
 * The moderation API in this process against the fault suite's own servers
 * (not the shared ones test/support/test-context.ts points at): a context
 * with its own prefixes, a published ruleset, the API on an ephemeral port
 * and the tokens a scenario needs. The workers are NOT started here: the
 * fault scenarios run them as processes (worker-processes.ts) so they can
 * be killed for real. The API itself stays in-process: the scenarios kill
 * workers and servers, not the API.
 */
import { createLogger, generateEncryptionKey, generateSigningKey, RulesetStore, rulesetKeys } from '@takedown/shared';
import { testing, type Rule } from '@takedown/search-rules';
import { buildApiDeps, createApp, type ApiDeps } from '@takedown/moderation-api';
import { createTestContext, type TestContext } from '../../support/test-context';
import { listenLocally } from '../../support/listen';
import type { FaultServices } from './fault-services';

/**
 * The rules of the fault scenarios: one that opens cases for review and one
 * auto_remove rule (not csam: that lane needs cleared moderators), which a
 * detector's report of matching text triggers, so actions flow without a human.
 */
export const FAULT_RULES: Rule[] = [
  testing.rule('drugs-sale', 'selling cocaine', { scope: ['content'], action: 'flag_for_review' }),
  testing.rule('fraud-auto', 'zzfault wallet drainer', { scope: ['content'], action: 'auto_remove', category: 'fraud' }),
];

export interface FaultApi {
  ctx: TestContext;
  deps: ApiDeps;
  url: string;
  /** reporter (user standing), detector (automated standing: its copy of the text counts), moderator, search. */
  tokens: { reporter: string; detector: string; moderator: string; search: string };
  /** The token id the API prefixes a client's reportId with ("<token id>.<reportId>"). */
  tokenIds: { reporter: string; detector: string };
  call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startFaultApi(name: string, svc: FaultServices, rules: Rule[] = FAULT_RULES): Promise<FaultApi> {
  const ctx = await createTestContext(name, { REDIS_URL: svc.redisUrl, ELASTICSEARCH_URL: svc.elasticsearchUrl });
  const logger = createLogger({ name, level: ctx.config.logLevel });
  const deps = await buildApiDeps(
    {
      ...ctx.config,
      port: 0,
      host: '127.0.0.1',
      leaseSeconds: 600,
      authFailuresPerMinute: 100_000,
      intake: { waitReplicas: 0, waitTimeoutMs: 250 },
      // Generous bounds: the suite's load shares two cores with Elasticsearch.
      esTimeoutMs: 10_000,
      esScanTimeoutMs: 30_000,
      ruleWorkers: { size: 1, taskTimeoutMs: 60_000, maxQueued: 8 },
      legal: { nonJudicialOutcome: 'needs_info', jurisdictions: [], accountsIndex: `${ctx.prefix}-accounts`, signInsIndex: `${ctx.prefix}-signins` },
    },
    logger,
    { packageKeys: { signingKey: generateSigningKey(), encryptionKey: Buffer.from(generateEncryptionKey(), 'base64') } },
  );
  await new RulesetStore(ctx.redis, rulesetKeys(ctx.config.queuePrefix)).publish(rules, 'lead:faults');
  const server = await listenLocally(createApp(deps), () => deps.close());
  const reporter = await deps.tokens.create({ role: 'reporter', name: 'reporter-1', createdBy: 'faults' });
  const detector = await deps.tokens.create({ role: 'reporter', name: 'detector-1', grants: { standing: 'automated' }, createdBy: 'faults' });
  const moderator = await deps.tokens.create({ role: 'moderator', name: 'moderator-1', createdBy: 'faults' });
  const search = await deps.tokens.create({ role: 'search', name: 'search-1', createdBy: 'faults' });
  return {
    ctx,
    deps,
    url: server.url,
    tokens: { reporter: reporter.token, detector: detector.token, moderator: moderator.token, search: search.token },
    tokenIds: { reporter: reporter.record.id, detector: detector.record.id },
    async call(method, path, token, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // a text body stays a string
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await server.stop();
      await ctx.cleanup();
    },
  };
}
