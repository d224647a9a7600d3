import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Worker } from 'bullmq';
import {
  CatalogQueue,
  ContentReader,
  QUEUE_NAMES,
  RulesetStore,
  apiEnvVars,
  caseIdFor,
  catalogBullQueue,
  closeRedisClient,
  createElasticsearch,
  createLogger,
  createRedisClient,
  isCluster,
  loadConfig,
  queuePrefixFor,
  redisTarget,
  rulesetKeys,
  searchEnvVars,
  startLiveRuleset,
  workerQueueOptions,
  type Cluster,
} from '@takedown/shared';
import { compileStoredRuleset, type CompiledRuleset } from '@takedown/search-rules';
import { buildApiDeps, createApp, type ApiConfig } from '@takedown/moderation-api';
import { buildSearchDeps, type SearchConfig } from '@takedown/search-service';
import { createTriageWorker } from '@takedown/triage-worker';
import { publishTakedown } from '@takedown/shared';
import { PIPELINE_RULES, reportBody } from '../support/pipeline';
import { clusterServices } from './support/cluster-services';
import { eventually, uniquePrefix } from '../support/test-context';

/**
 * Issue 18 on a real Redis Cluster (3 masters with a replica each, Redis 7,
 * the cluster suite's own: test/cluster/support): every process built from
 * REDIS_CLUSTER_NODES, on the suite's three-node Elasticsearch. The
 * failover tests SIGKILL one master (found by the slot it owns) and start
 * it again with the configuration read from it.
 */
const svc = clusterServices();
const NODES = svc.redisClusterNodes;

const prefix = uniquePrefix('cluster');
const env = {
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
  REDIS_CLUSTER_NODES: NODES,
  ELASTICSEARCH_URL: svc.elasticsearchUrl,
  TAKEDOWN_ES_REPLICAS: '1',
  TAKEDOWN_INDEX_PREFIX: prefix,
  TAKEDOWN_CONTENT_INDEX: `${prefix}-content`,
  TAKEDOWN_QUEUE_PREFIX: `{${prefix}}`,
};

interface Api {
  url: string;
  config: ApiConfig;
  deps: Awaited<ReturnType<typeof buildApiDeps>>;
  reporter: string;
  stop(): Promise<void>;
}

/** The moderation API on the cluster, listening on a free port; WAIT as given. */
async function startApi(name: string, waitReplicas: number): Promise<Api> {
  const config = loadConfig<ApiConfig>({ ...env, TAKEDOWN_INTAKE_WAIT_REPLICAS: String(waitReplicas), TAKEDOWN_INTAKE_WAIT_TIMEOUT_MS: '500' }, apiEnvVars);
  const deps = await buildApiDeps({ ...config, port: 0, host: '127.0.0.1', esTimeoutMs: 10_000, esScanTimeoutMs: 30_000 }, createLogger({ name, level: config.logLevel }));
  const server: Server = await new Promise((resolve) => {
    const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  const reporter = (await deps.tokens.create({ role: 'reporter', name: `${name}-reporter`, createdBy: 'test' })).token;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    config,
    deps,
    reporter,
    async stop() {
      await new Promise((r) => server.close(r));
      await deps.close();
    },
  };
}

/** POST /v1/reports with a bounded wait; the status (0 = no answer in time) and the report id the API acknowledged. */
async function fileReport(api: Api, contentId: string): Promise<{ status: number; reportId?: string }> {
  try {
    const res = await fetch(`${api.url}/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.reporter}`, 'content-type': 'application/json' },
      body: JSON.stringify(reportBody(contentId)),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json().catch(() => ({}))) as { reportId?: string };
    return { status: res.status, ...(res.status === 202 && body.reportId ? { reportId: body.reportId } : {}) };
  } catch {
    return { status: 0 };
  }
}

/** The hash slot of `key`, as the cluster computes it (CLUSTER KEYSLOT). */
async function slotOf(cluster: Cluster, key: string): Promise<number> {
  return Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
}

function ownerOf(cluster: Cluster, slot: number): string | undefined {
  return cluster.slots[slot]?.[0];
}

/** The master owning `slot` as the cluster says now (CLUSTER SLOTS from whichever node answers), not the client's cached map. */
async function ownerNow(cluster: Cluster, slot: number): Promise<string | undefined> {
  const ranges = await cluster.cluster('SLOTS');
  const master = ranges.find(([start, end]) => start <= slot && slot <= end)?.[2];
  return master ? `${master[0]}:${master[1]}` : undefined;
}

/** Every key under this file's prefix, from every master (SCAN is per node on a cluster). */
async function keysUnderPrefix(cluster: Cluster, pattern: string): Promise<string[]> {
  const out: string[] = [];
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
  }
  return out;
}

/**
 * The master that owns `slot`, with a SIGKILL for it and a restart through
 * the suite's harness (services.mjs starts the dead node again with its
 * port, data and nodes.conf): it rejoins as a replica of the replica
 * promoted meanwhile. Through the harness, so the suite's record of its
 * nodes stays true for the tests after this one.
 */
async function masterOf(cluster: Cluster, slot: number): Promise<{ key: string; kill(): void; restart(): Promise<void> }> {
  const key = ownerOf(cluster, slot);
  const index = svc.redisNodes.findIndex((n) => `${n.host}:${n.port}` === key);
  if (!key || index < 0) throw new Error(`no cluster node of this suite owns slot ${slot} (${key ?? 'none'})`);
  return {
    key,
    kill: () => svc.signalRedisNode(index, 'SIGKILL'),
    restart: () => svc.restart(),
  };
}

/** Waits until every node the cluster lists is connected and the cluster state is ok (after a restart has rejoined). */
async function clusterSettled(cluster: Cluster): Promise<void> {
  await eventually(async () => {
    const nodes = String(await cluster.cluster('NODES'));
    const info = String(await cluster.cluster('INFO'));
    return info.includes('cluster_state:ok') && !/fail|disconnected|handshake/.test(nodes);
  }, 60_000);
}

describe(`Redis Cluster (${NODES})`, () => {
  let admin: Cluster;
  let api: Api;
  const es = createElasticsearch(loadConfig(env).elasticsearch);

  beforeAll(async () => {
    const client = createRedisClient(redisTarget(loadConfig(env).redis), { connectionName: `test:${prefix}:admin`, maxRetriesPerRequest: 3 });
    if (!isCluster(client)) throw new Error('REDIS_CLUSTER_NODES did not give a cluster client');
    admin = client;
    await new RulesetStore(admin, rulesetKeys(`{${prefix}}`)).publish(PIPELINE_RULES, 'lead:test');
    api = await startApi('cluster-api', 0);
  });

  afterAll(async () => {
    await api?.stop();
    if (admin) {
      // One key at a time: a multi-key DEL across slots is refused on a cluster.
      for (const key of await keysUnderPrefix(admin, `{${prefix}*`).catch(() => [])) await admin.del(key).catch(() => undefined);
      await closeRedisClient(admin);
    }
    const indices = Object.keys(await es.indices.get({ index: `${prefix}*`, expand_wildcards: 'all' }).catch(() => ({})));
    if (indices.length > 0) await es.indices.delete({ index: indices.join(',') });
    await es.close();
  });

  it('gives each BullMQ queue its own slot, and the keys BullMQ writes for a queue stay in that slot', async () => {
    expect((await fileReport(api, 'cluster-slots-1')).status).toBe(202);
    const slots = new Map<string, number>();
    for (const name of QUEUE_NAMES) slots.set(name, await slotOf(admin, queuePrefixFor(`{${prefix}}`, name)));
    expect(new Set(slots.values()).size).toBe(QUEUE_NAMES.length);
    const reportKeys = await keysUnderPrefix(admin, `${queuePrefixFor(`{${prefix}}`, 'reports')}*`);
    expect(reportKeys.length).toBeGreaterThan(0);
    for (const key of reportKeys) expect(await slotOf(admin, key)).toBe(slots.get('reports'));
    // The spread over masters depends on the random prefix: printed, not asserted.
    console.log(JSON.stringify({ queueSlots: Object.fromEntries([...slots].map(([n, s]) => [n, { slot: s, master: ownerOf(admin, s) }])) }));
  });

  // Every case-store script takes its keys in KEYS, all under one shard's tag: a cluster client routes it to the master owning them.
  it('a report accepted through the API becomes a case (triage on the cluster)', async () => {
    const logger = createLogger({ name: 'cluster-triage', level: api.config.logLevel });
    const target = redisTarget(api.config.redis);
    const bull = createRedisClient(target, workerQueueOptions('test:cluster:triage'));
    const live = await startLiveRuleset<CompiledRuleset>({ redis: admin, redisTarget: target, queuePrefix: `{${prefix}}`, name: 'cluster-triage', compile: (r) => compileStoredRuleset(r), logger });
    const actions = new CatalogQueue('actions', bull, `{${prefix}}`);
    const content = 'cluster-post-1';
    await es.index({ index: api.config.contentIndex, id: content, document: { id: content, type: 'post', text: `Selling cocaine tonight, DM ${content}`, authorId: 'author-1', lang: 'en', createdAt: new Date().toISOString() }, refresh: true });
    let worker: Worker | undefined;
    try {
      worker = createTriageWorker({ cases: api.deps.cases, rules: live.rules, actions, notices: { es, index: api.deps.indices.notices }, content: new ContentReader(es, api.config.contentIndex) }, { connection: bull, prefix: `{${prefix}}`, concurrency: 2, logger });
      const r = await fileReport(api, content);
      expect(r.status).toBe(202);
      const c = await eventually(() => api.deps.cases.get(caseIdFor(content)), 60_000);
      expect(c.id).toBe(caseIdFor(content));
      expect(c.reportCount).toBeGreaterThanOrEqual(1);
    } finally {
      await worker?.close();
      await actions.close();
      await live.stop();
      await closeRedisClient(bull);
    }
  }, 120_000);

  it('a takedown published by the actions worker reaches a search instance over sharded pub/sub', async () => {
    const config = loadConfig<SearchConfig>(env, searchEnvVars);
    const search = await buildSearchDeps({ ...config, port: 0, host: '127.0.0.1' }, createLogger({ name: 'cluster-search', level: config.logLevel }));
    try {
      expect(search.tracker.healthy).toBe(true);
      const contentId = 'cluster-taken-down-1';
      await publishTakedown(admin, api.deps.cases.keys, { contentId, state: 'removed', decisionId: 'd_cluster_1', restrictedIn: [], at: new Date().toISOString() }, new Date());
      await eventually(async () => search.tracker.idsFor(undefined).includes(contentId), 10_000);
    } finally {
      await search.close();
    }
  });

  it('master failover mid-intake: every report acknowledged after WAIT 1 is found afterwards; reports acknowledged without WAIT are counted', async () => {
    await clusterSettled(admin);
    const durable = await startApi('cluster-wait', 1);
    const reportsPrefix = queuePrefixFor(`{${prefix}}`, 'reports');
    const slot = await slotOf(admin, reportsPrefix);
    const victim = await masterOf(admin, slot);

    const acked = { wait: [] as string[], plain: [] as string[] };
    const refused = { wait: 0, plain: 0 };
    let killedAt = 0;
    let before = { wait: 0, plain: 0 };
    let stop = false;
    const filer = async (which: 'wait' | 'plain', target: Api, lane: number) => {
      for (let i = 0; !stop; i++) {
        const r = await fileReport(target, `fo-${which}-${lane}-${i}`);
        if (r.reportId) acked[which].push(r.reportId);
        else refused[which]++;
        if (r.status !== 202) await new Promise((res) => setTimeout(res, 50));
      }
    };
    const afterKill = (which: 'wait' | 'plain', since: number) => acked[which].length - since;
    const filers = [0, 1, 2].flatMap((lane) => [filer('wait', durable, lane), filer('plain', api, lane)]);
    try {
      // Intake is running on both APIs before the kill.
      await eventually(async () => acked.wait.length >= 20 && acked.plain.length >= 20, 20_000);
      before = { wait: acked.wait.length, plain: acked.plain.length };
      victim.kill();
      killedAt = Date.now();
      // A replica takes the slot over (cluster-node-timeout) and intake carries on, with WAIT too: the
      // promoted replica has no replica of its own until the killed node rejoins, so it is restarted meanwhile.
      const promoted = await eventually(async () => {
        const owner = await ownerNow(admin, slot);
        return owner !== undefined && owner !== victim.key ? owner : undefined;
      }, 30_000);
      console.log(JSON.stringify({ failover: { killed: victim.key, promoted, afterMs: Date.now() - killedAt } }));
      await eventually(async () => afterKill('plain', before.plain) >= 20, 60_000);
      await victim.restart();
      await eventually(async () => afterKill('wait', before.wait) >= 20, 60_000);
    } finally {
      stop = true;
      await Promise.all(filers);
    }
    const queue = catalogBullQueue('reports', admin, `{${prefix}}`);
    const missing = async (ids: string[]) => {
      const out: string[] = [];
      for (const id of ids) if (!(await queue.getJob(id))) out.push(id);
      return out;
    };
    try {
      const lost = { wait: await missing(acked.wait), plain: await missing(acked.plain) };
      console.log(
        JSON.stringify({
          scenario: 'redis master failover mid-intake',
          killedMaster: victim.key,
          newMaster: await ownerNow(admin, slot),
          withWait1: { acknowledged: acked.wait.length, beforeKill: before.wait, lost: lost.wait.length, refused: refused.wait },
          withoutWait: { acknowledged: acked.plain.length, beforeKill: before.plain, lost: lost.plain.length, refused: refused.plain },
          msSinceKill: Date.now() - killedAt,
        }),
      );
      expect(lost.wait).toEqual([]);
    } finally {
      await queue.close();
      await durable.stop();
    }
  }, 240_000);

  it('the search service refuses searches while the master holding the takedown channel fails over, then hears takedowns again', async () => {
    await clusterSettled(admin);
    const config = loadConfig<SearchConfig>(env, searchEnvVars);
    const search = await buildSearchDeps({ ...config, port: 0, host: '127.0.0.1' }, createLogger({ name: 'cluster-search-failover', level: config.logLevel }));
    const keys = api.deps.cases.keys;
    const victim = await masterOf(admin, await slotOf(admin, keys.takedownChannel));
    try {
      expect(search.tracker.healthy).toBe(true);
      victim.kill();
      // Fail closed: the tracker says it may be missing takedowns while its sharded subscriber is gone.
      await eventually(async () => !search.tracker.healthy, 30_000);
      // After the failover it re-subscribes on the promoted master and catches up.
      await eventually(async () => search.tracker.healthy, 60_000);
      const contentId = 'cluster-after-failover-1';
      await eventually(async () => {
        await publishTakedown(admin, keys, { contentId, state: 'removed', decisionId: 'd_cluster_fo', restrictedIn: [], at: new Date().toISOString() }, new Date());
        return search.tracker.idsFor(undefined).includes(contentId);
      }, 30_000);
    } finally {
      await victim.restart();
      await search.close();
      await clusterSettled(admin);
    }
  }, 240_000);
});
