import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Worker } from 'bullmq';
import {
  AuditWriter,
  CaseMirror,
  CatalogQueue,
  ContentReader,
  startLiveRuleset,
  type LiveRuleset,
  RulesetStore,
  createLogger,
  createRedis,
  redisTarget,
  rulesetKeys,
  ensureSubscriberIndices,
  generateEncryptionKey,
  generateSigningKey,
  type LegalKeys,
  type LegalPolicyConfig,
  type Role,
} from '@takedown/shared';
import { compileStoredRuleset, testing, type CompiledRuleset, type Rule } from '@takedown/search-rules';
import { createTriageWorker, type TriageDeps } from '@takedown/triage-worker';
import { createActionsWorker, type ActionsDeps } from '@takedown/actions-worker';
import { buildApiDeps, createApp, type ApiConfig, type ApiDeps } from '@takedown/moderation-api';
import { createTestContext, type TestContext } from './test-context';

/** The agencies every pipeline registers (the `agency` and `agency2` tokens act for them). */
export const PIPELINE_AGENCY = { id: 'bka-test', name: 'Bundeskriminalamt (test)', country: 'DE', function: 'law_enforcement' } as const;
export const PIPELINE_AGENCY_2 = { id: 'pj-test', name: 'Police judiciaire (test)', country: 'FR', function: 'law_enforcement' } as const;

/** The rules every pipeline test starts with. */
export const PIPELINE_RULES: Rule[] = [
  testing.rule('drugs-sale', 'selling cocaine', { scope: ['content'], action: 'flag_for_review' }),
  testing.rule('drugs-query', 'cocaine', { scope: ['query'], action: 'block_query' }),
  testing.rule('known-csam-hash', 'ab'.repeat(32), { kind: 'sha256', scope: ['content'], action: 'auto_remove', category: 'csam' }),
];

export interface Pipeline {
  ctx: TestContext;
  /** The platform's accounts and sign-ins indices of this pipeline (empty until a test writes to them). */
  subscriberIndices: { accounts: string; signIns: string };
  /** The keys this pipeline's packages are signed and encrypted with. */
  legalKeys: LegalKeys;
  url: string;
  deps: ApiDeps;
  actionsDeps: ActionsDeps;
  triageDeps: TriageDeps;
  /**
   * A bearer token per role; `csamModerator`, `csamModerator2`, `csamLead`
   * and `csamAdmin` hold the csam grant (two cleared moderators, for the
   * two-person rule); `flagger`, `authority` and `detector` are reporter
   * tokens an admin granted that standing. `legal`, `legal2` and `legal3`
   * are three different legal officers (the two-person rule), `legalEmergency`
   * an officer holding the emergency grant; `agency` acts for the registered
   * agency `PIPELINE_AGENCY` (DE), `agency2` for `PIPELINE_AGENCY_2` (FR).
   */
  tokens: Record<
    Role | 'moderator2' | 'csamModerator' | 'csamModerator2' | 'csamLead' | 'csamAdmin' | 'flagger' | 'authority' | 'detector' | 'legal2' | 'legal3' | 'legalEmergency' | 'agency2',
    string
  >;
  triage: Worker;
  actions: Worker;
  audit: AuditWriter;
  mirror: CaseMirror;
  rules: LiveRuleset<CompiledRuleset>;
  call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * The whole moderation pipeline in this process against the real Redis and
 * Elasticsearch: the API on an ephemeral port, the triage and actions
 * workers, the audit writer and the case mirror, a published ruleset, and a
 * token per role.
 */
export async function startPipeline(
  name: string,
  opts: {
    rules?: Rule[];
    startTriage?: boolean;
    authFailuresPerMinute?: number;
    legal?: Partial<LegalPolicyConfig>;
    ruleWorkers?: Partial<ApiConfig['ruleWorkers']>;
    /** TaskHold.buffer: every rule task waits inside its worker until the hold is released. */
    ruleTaskHold?: SharedArrayBuffer;
    /** Durable acknowledgement (TAKEDOWN_INTAKE_WAIT_REPLICAS, TAKEDOWN_INTAKE_WAIT_TIMEOUT_MS); default off. */
    intake?: Partial<ApiConfig['intake']>;
    /** Per-token limits on intake and claims (TAKEDOWN_RATE_*); default off. */
    rateLimits?: ApiConfig['rateLimits'];
  } = {},
): Promise<Pipeline> {
  const ctx = await createTestContext(name);
  const logger = createLogger({ name, level: ctx.config.logLevel });
  // The platform's subscriber data (empty until a test writes some) and keys made for this run.
  const subscriberIndices = { accounts: `${ctx.prefix}-accounts`, signIns: `${ctx.prefix}-signins` };
  await ensureSubscriberIndices(ctx.es, subscriberIndices, 0);
  const legalKeys: LegalKeys = { signingKey: generateSigningKey(), encryptionKey: Buffer.from(generateEncryptionKey(), 'base64') };
  const deps = await buildApiDeps(
    {
      ...ctx.config,
      port: 0,
      host: '127.0.0.1',
      leaseSeconds: 600,
      // Above the 3 s default: the suite shares one Elasticsearch with other runs on a small box (hung-dependencies tests the bound).
      esTimeoutMs: 10_000,
      esScanTimeoutMs: 30_000,
      authFailuresPerMinute: opts.authFailuresPerMinute ?? 100_000,
      intake: { waitReplicas: 0, waitTimeoutMs: 250, ...opts.intake },
      ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
      ruleWorkers: { size: 1, taskTimeoutMs: 60_000, maxQueued: 8, ...opts.ruleWorkers },
      legal: { nonJudicialOutcome: 'needs_info', jurisdictions: [], accountsIndex: subscriberIndices.accounts, signInsIndex: subscriberIndices.signIns, ...opts.legal },
    },
    logger,
    { packageKeys: legalKeys },
    opts.ruleTaskHold ? { ruleTaskHold: opts.ruleTaskHold } : {},
  );
  const store = new RulesetStore(ctx.redis, rulesetKeys(ctx.config.queuePrefix));
  await store.publish(opts.rules ?? PIPELINE_RULES, 'lead:test');
  const live = await startLiveRuleset<CompiledRuleset>({ redis: ctx.redis, redisTarget: redisTarget(ctx.config.redis), queuePrefix: ctx.config.queuePrefix, name, compile: (r) => compileStoredRuleset(r), logger });
  const rules = live.rules;
  const workerRedis = createRedis(ctx.config.redis.url, { connectionName: `${name}:workers`, maxRetriesPerRequest: null });
  const actionsQueue = new CatalogQueue('actions', ctx.bullConnection, ctx.config.queuePrefix);
  const triageDeps: TriageDeps = { cases: deps.cases, rules, actions: actionsQueue, notices: { es: ctx.es, index: deps.indices.notices }, content: new ContentReader(ctx.es, ctx.config.contentIndex) };
  const triage = createTriageWorker(
    triageDeps,
    { connection: ctx.bullConnection, prefix: ctx.config.queuePrefix, concurrency: 8, logger, tuning: { stalledInterval: 1000, lockDuration: 2000 } },
  );
  if (opts.startTriage === false) await triage.pause(true);
  const actionsDeps: ActionsDeps = {
    cases: deps.cases,
    es: ctx.es,
    redis: workerRedis,
    contentIndex: ctx.config.contentIndex,
    statementsIndex: deps.indices.statements,
    noticesIndex: deps.indices.notices,
  };
  const actions = createActionsWorker(actionsDeps, { connection: ctx.bullConnection, prefix: ctx.config.queuePrefix, concurrency: 4, logger });
  const audit = new AuditWriter({ redis: workerRedis, es: ctx.es, index: deps.indices.audit, keys: deps.cases.keys, logger, instanceId: `${name}:audit`, intervalMs: 50 });
  audit.start();
  const mirror = new CaseMirror(workerRedis, deps.cases, ctx.es, deps.indices.cases, logger, 50);
  mirror.start();

  const server: Server = await new Promise((resolve) => {
    const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const tokens = {} as Pipeline['tokens'];
  for (const role of ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest', 'service', 'metrics'] as const) {
    tokens[role] = (await deps.tokens.create({ role, name: `${role}-1`, createdBy: 'test' })).token;
  }
  // The legal desk: registered agencies, their people, and officers enough for the two-person rule.
  const legalStore = deps.legal.deps.store;
  // Its writes wait for a refresh (refresh: wait_for); a short interval keeps the tests quick.
  await ctx.es.indices.putSettings({ index: [deps.indices.legalRequests, deps.indices.legalAgencies, deps.indices.legalPreservations, deps.indices.legalPackages], settings: { refresh_interval: '50ms' } });
  for (const a of [PIPELINE_AGENCY, PIPELINE_AGENCY_2]) await legalStore.createAgency({ ...a, createdAt: new Date().toISOString(), createdBy: 'test' });
  tokens.agency = (await deps.tokens.create({ role: 'agency', name: 'agency-1', grants: { agency: PIPELINE_AGENCY.id }, createdBy: 'test' })).token;
  tokens.agency2 = (await deps.tokens.create({ role: 'agency', name: 'agency-2', grants: { agency: PIPELINE_AGENCY_2.id }, createdBy: 'test' })).token;
  tokens.legal2 = (await deps.tokens.create({ role: 'legal', name: 'legal-2', createdBy: 'test' })).token;
  tokens.legal3 = (await deps.tokens.create({ role: 'legal', name: 'legal-3', createdBy: 'test' })).token;
  tokens.legalEmergency = (await deps.tokens.create({ role: 'legal', name: 'legal-emergency', grants: { emergency: true }, createdBy: 'test' })).token;
  tokens.moderator2 = (await deps.tokens.create({ role: 'moderator', name: 'moderator-2', createdBy: 'test' })).token;
  tokens.csamModerator = (await deps.tokens.create({ role: 'moderator', name: 'csam-1', grants: { csam: true }, createdBy: 'test' })).token;
  tokens.csamModerator2 = (await deps.tokens.create({ role: 'moderator', name: 'csam-2', grants: { csam: true }, createdBy: 'test' })).token;
  tokens.csamLead = (await deps.tokens.create({ role: 'lead', name: 'csam-lead', grants: { csam: true }, createdBy: 'test' })).token;
  tokens.csamAdmin = (await deps.tokens.create({ role: 'admin', name: 'csam-admin', grants: { csam: true }, createdBy: 'test' })).token;
  tokens.flagger = (await deps.tokens.create({ role: 'reporter', name: 'flagger-1', grants: { standing: 'trusted_flagger' }, createdBy: 'test' })).token;
  tokens.authority = (await deps.tokens.create({ role: 'reporter', name: 'authority-1', grants: { standing: 'authority' }, createdBy: 'test' })).token;
  tokens.detector = (await deps.tokens.create({ role: 'reporter', name: 'hash-scanner', grants: { standing: 'automated' }, createdBy: 'test' })).token;

  return {
    ctx,
    subscriberIndices,
    legalKeys,
    url,
    deps,
    actionsDeps,
    triageDeps,
    tokens,
    triage,
    actions,
    audit,
    mirror,
    rules,
    async call(method, path, token, body) {
      const headers: Record<string, string> = {};
      if (token) headers['authorization'] = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // metrics and other text bodies stay strings
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await new Promise((r) => server.close(r));
      await triage.close();
      await actions.close();
      await audit.stop();
      await mirror.stop();
      await live.stop();
      await actionsQueue.close();
      await deps.close();
      workerRedis.disconnect();
      await ctx.cleanup();
    },
  };
}

/** A report body for POST /v1/reports. */
export function reportBody(contentId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    content: { id: contentId, type: 'post', text: `Selling cocaine tonight, DM ${contentId}`, authorId: 'author-1', lang: 'en' },
    reporter: { type: 'user', id: 'reporter-7' },
    reason: 'drugs',
    ...extra,
  };
}

/**
 * Claims from `queue` until `token` holds this content's case (other cases
 * may wait ahead of it), then hands the others back.
 */
export async function claimCase(p: Pipeline, contentId: string, token = p.tokens.moderator, queue = 'default'): Promise<{ case: { id: string }; lease: { token: string; expiresAt: string } }> {
  const held: { id: string; token: string }[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const r = await p.call('POST', '/v1/review/claim', token, { queue });
      if (r.status === 204) throw new Error(`lane ${queue} had no case for ${contentId}`);
      if (r.body.case.contentId === contentId) return r.body;
      held.push({ id: r.body.case.id, token: r.body.lease.token });
    }
    throw new Error('too many claims');
  } finally {
    for (const h of held) await p.call('POST', `/v1/review/${h.id}/release`, token, { leaseToken: h.token });
  }
}
