// The Redis Cluster the harness starts is what the cluster tests build on:
// three masters with one synced replica each, all 16384 slots served, keys
// spread over the masters, and a killed master replaced by its replica and
// brought back as a replica by `restart()`. Writes acknowledged after WAIT 1
// (on the master and its replica) survive the kill. The Redis failover tests
// of the services themselves (issue 18, part 5) build on this harness.
import { Cluster, Redis } from 'ioredis';
import { clusterServices, type ClusterServices } from './support/cluster-services';
import { eventually } from '../support/test-context';

let svc: ClusterServices;
let cluster: Cluster;

beforeAll(() => {
  svc = clusterServices();
  cluster = new Cluster(
    svc.redisNodes.map(({ host, port }) => ({ host, port })),
    {
      redisOptions: { connectTimeout: 5_000, commandTimeout: 5_000 },
      // Keep retrying through a failover instead of giving up on the first refused connection.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    },
  );
});

afterAll(async () => {
  cluster?.disconnect();
});

/** One node's own view, over a direct connection with timeouts. */
async function nodeInfo(port: number, section: string[]): Promise<Record<string, string>> {
  const r = new Redis({ host: '127.0.0.1', port, connectTimeout: 3_000, commandTimeout: 3_000, maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await r.connect();
    const text = (await r.call(...(section as [string, ...string[]]))) as string;
    return Object.fromEntries(
      text
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    );
  } finally {
    r.disconnect();
  }
}

const KEYS = Array.from({ length: 300 }, (_, i) => `harness:key:${i}`);

test('three masters with a synced replica each; keys spread over all masters', async () => {
  const roles = await Promise.all(svc.redisNodes.map((n) => nodeInfo(n.port, ['info', 'replication'])));
  expect(roles.filter((r) => r.role === 'master').length).toBe(3);
  expect(roles.filter((r) => r.role === 'slave' && r.master_link_status === 'up').length).toBe(3);
  for (const n of svc.redisNodes) expect((await nodeInfo(n.port, ['cluster', 'info'])).cluster_state).toBe('ok');
  for (const k of KEYS) await cluster.set(k, k);
  const perMaster = await Promise.all(cluster.nodes('master').map((m) => m.dbsize()));
  expect(perMaster.length).toBe(3);
  for (const n of perMaster) expect(n).toBeGreaterThan(0);
  expect(perMaster.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(KEYS.length);
});

test('a killed master is replaced by its replica; WAIT-acknowledged writes survive; restart brings it back as a replica', async () => {
  const key = 'harness:failover';
  const masterPort = await eventually(async () => {
    const slot = Number(await cluster.call('cluster', 'keyslot', key));
    const slots = (await cluster.call('cluster', 'slots')) as [number, number, [string, number]][];
    const owner = slots.find(([from, to]) => slot >= from && slot <= to);
    return owner?.[2][1];
  });
  const victim = svc.redisNodes.findIndex((n) => n.port === masterPort);
  expect(victim).toBeGreaterThanOrEqual(0);
  const acked: string[] = [];
  for (let i = 0; i < 50; i++) {
    const v = `v${i}`;
    await cluster.rpush(key, v);
    // Acknowledged only once the replica has it too.
    const replicas = Number(await cluster.call('wait', '1', '5000'));
    if (replicas >= 1) acked.push(v);
  }
  expect(acked.length).toBe(50);

  svc.signalRedisNode(victim, 'SIGKILL');
  // The replica takes over after cluster-node-timeout; until then the slot's commands fail.
  const after = await eventually(async () => cluster.lrange(key, 0, -1).catch(() => undefined), 120_000);
  expect(acked.filter((v) => !after.includes(v))).toEqual([]);
  const newMaster = await eventually(async () => {
    const slot = Number(await cluster.call('cluster', 'keyslot', key));
    const slots = (await cluster.call('cluster', 'slots')) as [number, number, [string, number]][];
    const port = slots.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
    return port !== undefined && port !== masterPort ? port : undefined;
  }, 120_000);
  expect(newMaster).not.toBe(masterPort);

  await svc.restart();
  const back = await nodeInfo(masterPort, ['info', 'replication']);
  expect(back.role).toBe('slave');
  expect(back.master_link_status).toBe('up');
  expect((await nodeInfo(masterPort, ['cluster', 'info'])).cluster_state).toBe('ok');
  expect(await cluster.llen(key)).toBe(50);
});
