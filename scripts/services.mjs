#!/usr/bin/env node
// Brings up (or reuses) the Redis and Elasticsearch that Takedown needs, with
// no Docker: redis-server from the OS packages and a real single-node
// Elasticsearch 8.14 run on the JVM from Maven Central artifacts
// (tools/elasticsearch). `down` stops only what `up` started.
//
//   node scripts/services.mjs up [--redis-cluster] [--es-nodes N]
//   node scripts/services.mjs down|status
//
// `--redis-cluster` starts six redis-server processes in cluster mode (three
// masters, three replicas) instead of the single Redis and prints
// REDIS_CLUSTER_NODES; `--es-nodes 3` starts a three-node Elasticsearch
// cluster instead of the single node and prints every node in
// ELASTICSEARCH_URL (comma-separated). README, "Local clusters".
//
// Reads: REDIS_URL, ELASTICSEARCH_URL (reuse when set and reachable),
// TAKEDOWN_DATA_DIR, TAKEDOWN_REDIS_PORT, TAKEDOWN_REDIS_APPENDFSYNC,
// TAKEDOWN_REDIS_CLUSTER_PORT, TAKEDOWN_ES_PORT, TAKEDOWN_ES_TRANSPORT_PORT,
// TAKEDOWN_ES_HEAP, JAVA_HOME. State (what we started) lives in $TAKEDOWN_DATA_DIR/services.json.
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ES_TOOL = path.join(ROOT, 'tools', 'elasticsearch');
/** Three masters and one replica each: the smallest cluster that survives losing any one node. */
const REDIS_CLUSTER_SIZE = 6;

/** A TCP port from the environment, or a clear error naming the variable. */
function portVar(name, raw, fallback, span = 1) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n + span - 1 > 65535) {
    throw new Error(`${name} must be a TCP port (1..${65536 - span}), got ${JSON.stringify(raw)}`);
  }
  return n;
}

function settings(env = process.env, opts = {}) {
  const dataDir = path.resolve(ROOT, env.TAKEDOWN_DATA_DIR || '.data');
  const esNodes = opts.esNodes ?? 1;
  if (!Number.isInteger(esNodes) || esNodes < 1 || esNodes > 9) throw new Error(`--es-nodes must be 1..9, got ${opts.esNodes}`);
  const appendfsync = env.TAKEDOWN_REDIS_APPENDFSYNC || 'always';
  if (!['always', 'everysec', 'no'].includes(appendfsync)) {
    throw new Error(`TAKEDOWN_REDIS_APPENDFSYNC must be always, everysec or no, got ${JSON.stringify(appendfsync)}`);
  }
  return {
    dataDir,
    stateFile: path.join(dataDir, 'services.json'),
    redisPort: portVar('TAKEDOWN_REDIS_PORT', env.TAKEDOWN_REDIS_PORT, 6380),
    // Six consecutive ports; Redis Cluster also uses port + 10000 for its bus.
    redisCluster: Boolean(opts.redisCluster),
    redisClusterPort: portVar('TAKEDOWN_REDIS_CLUSTER_PORT', env.TAKEDOWN_REDIS_CLUSTER_PORT, 7000, REDIS_CLUSTER_SIZE + 10000),
    esNodes,
    esPort: portVar('TAKEDOWN_ES_PORT', env.TAKEDOWN_ES_PORT, 9200, esNodes),
    esTransportPort: portVar('TAKEDOWN_ES_TRANSPORT_PORT', env.TAKEDOWN_ES_TRANSPORT_PORT, 9300, esNodes),
    // Several JVMs share the machine in cluster mode: half a gigabyte each is plenty for dev data.
    esHeap: env.TAKEDOWN_ES_HEAP || (esNodes > 1 ? '512m' : '1g'),
    appendfsync,
    redisUrl: env.REDIS_URL || '',
    esUrl: env.ELASTICSEARCH_URL || '',
    java: env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java',
  };
}

const log = (msg) => process.stderr.write(`[services] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readState(s) {
  try {
    return JSON.parse(fs.readFileSync(s.stateFile, 'utf8'));
  } catch {
    return {};
  }
}

function writeState(s, state) {
  fs.mkdirSync(s.dataDir, { recursive: true });
  fs.writeFileSync(s.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// --- Redis ------------------------------------------------------------------

/** PING over a raw socket (AUTH first when the URL has a password). */
function redisPing(url, timeoutMs = 1500) {
  return new Promise((resolve) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    if (u.protocol !== 'redis:') {
      // TLS endpoints are trusted as given; the clients will report failures.
      resolve(u.protocol === 'rediss:');
      return;
    }
    const sock = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('+PONG')) done(true);
      else if (buf.includes('-')) done(false);
    });
    sock.on('connect', () => {
      const pw = decodeURIComponent(u.password || '');
      const user = decodeURIComponent(u.username || '');
      if (pw) sock.write(user ? `AUTH ${user} ${pw}\r\n` : `AUTH ${pw}\r\n`);
      sock.write('PING\r\n');
    });
  });
}

function portInUse(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.setTimeout(500, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

/** The flags every redis-server started here shares: loopback only, AOF on (fsync as configured), no RDB, no eviction. */
function redisServerArgs(s, port, dir, extra = []) {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    ...extra,
    '--appendonly', 'yes',
    '--appendfsync', s.appendfsync,
    '--save', '',
    '--daemonize', 'no',
    '--maxmemory-policy', 'noeviction',
    '--pidfile', path.join(dir, 'redis.pid'),
  ];
}

async function upRedis(s, state) {
  if (s.redisUrl) {
    if (await redisPing(s.redisUrl)) {
      log('reusing Redis named by REDIS_URL');
      // Our own server named again (tests, benches): keep its record, so `down` and a later `up` still know it.
      if (state.redis?.startedByUs && state.redis.url === s.redisUrl && alive(state.redis.pid)) return state.redis;
      return { url: s.redisUrl, startedByUs: false };
    }
    throw new Error('REDIS_URL is set but does not answer PING; unset it to let this script start redis-server');
  }
  if (state.redisCluster?.startedByUs && state.redisCluster.nodes.some((n) => alive(n.pid))) {
    throw new Error('a Redis Cluster started by services:up --redis-cluster is running in this data dir; run services:down first');
  }
  const prev = state.redis;
  if (prev?.startedByUs && alive(prev.pid) && (await redisPing(prev.url))) {
    log(`reusing redis-server started earlier (pid ${prev.pid})`);
    return prev;
  }
  const url = `redis://127.0.0.1:${s.redisPort}`;
  if (await portInUse(s.redisPort)) {
    if (await redisPing(url)) {
      log(`a Redis already answers on ${s.redisPort}; reusing it (not ours to stop)`);
      return { url, startedByUs: false };
    }
    throw new Error(`port ${s.redisPort} is taken by something that is not Redis; set TAKEDOWN_REDIS_PORT`);
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    throw new Error('redis-server not found: install it (apt-get install -y redis-server) or set REDIS_URL');
  }
  const dir = path.join(s.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.openSync(path.join(dir, 'redis.log'), 'a');
  // AOF on, fsync before every answer (appendfsync always, the default): a
  // report the API acknowledged survives a crash of this process or of the
  // host. `everysec` (TAKEDOWN_REDIS_APPENDFSYNC) answers before the fsync
  // and may lose the last second or two of acknowledged writes; fault
  // scenario R2 measures both (README, Fault suite). No RDB snapshots: AOF
  // is the record.
  const child = spawn(
    'redis-server',
    redisServerArgs(s, s.redisPort, dir),
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.writeFileSync(path.join(dir, 'redis.pid'), `${child.pid}\n`);
  for (let i = 0; i < 100; i++) {
    if (await redisPing(url)) {
      log(`started redis-server (pid ${child.pid}, AOF on, data ${path.relative(ROOT, dir)})`);
      return { url, startedByUs: true, pid: child.pid, startedAt: Date.now() };
    }
    if (!alive(child.pid)) break;
    await sleep(100);
  }
  throw new Error(`redis-server did not come up; see ${path.join(dir, 'redis.log')}`);
}

// --- Elasticsearch ----------------------------------------------------------

async function esInfo(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url.replace(/\/$/, '') + '/', { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = await res.json();
    return { version: body?.version?.number, product: res.headers.get('x-elastic-product') };
  } catch {
    return null;
  }
}

async function esHealthy(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url.replace(/\/$/, '') + '/_cluster/health', { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    const body = await res.json();
    return body.status === 'green' || body.status === 'yellow';
  } catch {
    return false;
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the launcher jar and resolves its classpath with Maven; cached until the sources change. */
function buildLauncher() {
  const jar = path.join(ES_TOOL, 'target', 'takedown-elasticsearch-8.14.3.jar');
  const cpFile = path.join(ES_TOOL, 'target', 'classpath.txt');
  const sourcesTime = Math.max(fs.statSync(path.join(ES_TOOL, 'pom.xml')).mtimeMs, newestMtime(path.join(ES_TOOL, 'src')));
  const fresh = fs.existsSync(jar) && fs.existsSync(cpFile) && fs.statSync(jar).mtimeMs >= sourcesTime;
  if (!fresh) {
    log('building the Elasticsearch launcher (mvn package; first run downloads ~80 MB from Maven Central)');
    const mvn = spawnSync('mvn', ['-q', '-B', '-f', path.join(ES_TOOL, 'pom.xml'), 'package'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (mvn.error) throw new Error(`cannot run mvn (${mvn.error.message}); install Maven or set ELASTICSEARCH_URL`);
    if (mvn.status !== 0) throw new Error('mvn package of tools/elasticsearch failed');
  }
  const classpath = fs.readFileSync(cpFile, 'utf8').trim();
  // Any dependency missing from the local Maven cache means a stale classpath.txt.
  if (classpath.split(path.delimiter).some((p) => !fs.existsSync(p))) {
    fs.rmSync(jar, { force: true });
    return buildLauncher();
  }
  return `${jar}${path.delimiter}${classpath}`;
}

async function upElasticsearch(s, state) {
  if (s.esUrl) {
    // ELASTICSEARCH_URL may list several nodes (comma-separated): one answering is enough to reuse them.
    let info = null;
    for (const u of s.esUrl.split(',').map((x) => x.trim()).filter(Boolean)) {
      info = await esInfo(u);
      if (info) break;
    }
    if (info) {
      log(`reusing Elasticsearch ${info.version} named by ELASTICSEARCH_URL`);
      const prev = state.elasticsearch;
      if (prev?.startedByUs && prev.url === s.esUrl && (prev.nodes ? prev.nodes.some((n) => alive(n.pid)) : alive(prev.pid))) return prev;
      return { url: s.esUrl, startedByUs: false, version: info.version };
    }
    throw new Error('ELASTICSEARCH_URL is set but does not answer; unset it to let this script start Elasticsearch');
  }
  if (state.elasticsearch?.startedByUs && state.elasticsearch.nodes?.some((n) => alive(n.pid))) {
    throw new Error('an Elasticsearch cluster started by services:up --es-nodes is running in this data dir; run services:down first');
  }
  const prev = state.elasticsearch;
  if (prev?.startedByUs && alive(prev.pid) && (await esHealthy(prev.url))) {
    log(`reusing Elasticsearch started earlier (pid ${prev.pid})`);
    return prev;
  }
  const url = `http://127.0.0.1:${s.esPort}`;
  if (await portInUse(s.esPort)) {
    throw new Error(
      `port ${s.esPort} is taken; set ELASTICSEARCH_URL to reuse that server or TAKEDOWN_ES_PORT for another port`,
    );
  }
  const classpath = buildLauncher();
  const home = path.join(s.dataDir, 'es');
  const pid = spawnEsNode(s, classpath, home, s.esPort, []);
  const started = Date.now();
  while (Date.now() - started < 180_000) {
    if (!alive(pid)) break;
    if (await esHealthy(url)) {
      const info = await esInfo(url);
      log(`started Elasticsearch ${info?.version} (pid ${pid}, ${((Date.now() - started) / 1000).toFixed(1)} s, data ${path.relative(ROOT, home)})`);
      return { url, startedByUs: true, pid: pid, version: info?.version, startedAt: Date.now() };
    }
    await sleep(250);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  throw new Error(`Elasticsearch did not become healthy; see ${path.join(home, 'logs', 'stdout.log')}`);
}

// --- Redis Cluster ------------------------------------------------------------

/** Runs redis-cli against one node; resolves its stdout, or null when it fails or times out. */
function redisCli(port, args, timeoutMs = 5000) {
  return new Promise((resolve) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) =>
      resolve(err ? null : stdout),
    );
  });
}

/** `CLUSTER INFO` / `INFO replication` as a key/value object (null when the node does not answer). */
async function redisInfo(port, args) {
  const out = await redisCli(port, args);
  if (out === null) return null;
  const info = {};
  for (const line of out.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) info[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return info;
}

const clusterPorts = (s) => Array.from({ length: REDIS_CLUSTER_SIZE }, (_, i) => s.redisClusterPort + i);
const clusterNodesList = (s) => clusterPorts(s).map((p) => `127.0.0.1:${p}`).join(',');

function startClusterNode(s, port) {
  const dir = path.join(s.dataDir, 'redis-cluster', String(port));
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.openSync(path.join(dir, 'redis.log'), 'a');
  // As the single node: AOF with the same appendfsync, no RDB snapshots.
  // nodes.conf lives in the node's own dir and survives `down`, so the
  // cluster re-forms from it (and each node reloads its AOF) on the next `up`.
  // A 5 s node timeout makes a replica take over a dead master within
  // seconds, which is what the failover tests and a dev machine want.
  const child = spawn(
    'redis-server',
    redisServerArgs(s, port, dir, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000']),
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.closeSync(out);
  return { port, pid: child.pid, startedAt: Date.now(), dir };
}

/** True once every node agrees the cluster is whole: state ok, all nodes known, all slots served, every replica synced. */
async function redisClusterReady(s) {
  const ports = clusterPorts(s);
  let masters = 0;
  for (const port of ports) {
    const info = await redisInfo(port, ['cluster', 'info']);
    if (!info || info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== ports.length) return false;
    if (Number(info.cluster_slots_ok) !== 16384) return false;
    const repl = await redisInfo(port, ['info', 'replication']);
    if (!repl) return false;
    if (repl.role === 'slave') {
      if (repl.master_link_status !== 'up' || repl.master_sync_in_progress !== '0') return false;
    } else {
      masters += 1;
      // A master must have its replica attached and online (`slave0:ip=...,state=online,...`).
      if (Number(repl.connected_slaves) < 1 || !/state=online/.test(repl.slave0 ?? '')) return false;
    }
  }
  return masters === ports.length / 2;
}

async function upRedisCluster(s, state) {
  if (state.redis?.startedByUs && alive(state.redis.pid)) {
    throw new Error('a single redis-server started by services:up is running in this data dir; run services:down first');
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-cli'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('redis-server or redis-cli not found: apt-get install -y redis-server');
  const prev = state.redisCluster?.startedByUs ? state.redisCluster : null;
  const nodes = [];
  let startedAny = false;
  for (const port of clusterPorts(s)) {
    const old = prev?.nodes?.find((n) => n.port === port);
    if (old && alive(old.pid) && (await redisPing(`redis://127.0.0.1:${port}`))) {
      nodes.push(old);
      continue;
    }
    if (await portInUse(port)) {
      throw new Error(`port ${port} is taken by a process services:up did not start; set TAKEDOWN_REDIS_CLUSTER_PORT to another base port`);
    }
    nodes.push(startClusterNode(s, port));
    startedAny = true;
  }
  if (!startedAny) log(`Redis Cluster already running (ports ${nodes[0].port}-${nodes.at(-1).port}); reusing it`);
  const t0 = Date.now();
  for (const n of nodes) {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await redisPing(`redis://127.0.0.1:${n.port}`);
      if (!up) {
        if (!alive(n.pid)) break;
        await sleep(100);
      }
    }
    if (!up) throw new Error(`redis-server on ${n.port} did not come up; see ${path.join(n.dir ?? '', 'redis.log')}`);
  }
  // A fresh set of nodes (each knows only itself, no slots) is made into a
  // cluster; nodes that kept their nodes.conf re-form the cluster they had.
  const infos = await Promise.all(nodes.map((n) => redisInfo(n.port, ['cluster', 'info'])));
  const fresh = infos.every((i) => i && Number(i.cluster_known_nodes) === 1 && Number(i.cluster_slots_assigned) === 0);
  if (fresh) {
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    const create = await new Promise((resolve) => {
      execFile('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) =>
        resolve({ err, out: `${stdout}${stderr}` }),
      );
    });
    if (create.err) throw new Error(`redis-cli --cluster create failed: ${create.out.trim().split('\n').slice(-3).join(' / ')}`);
    log('created Redis Cluster (3 masters, 3 replicas)');
  } else if (infos.some((i) => i && Number(i.cluster_known_nodes) === 1 && Number(i.cluster_slots_assigned) === 0)) {
    throw new Error(
      `some Redis Cluster nodes lost their cluster config; stop them (services:down) and delete ${path.join(s.dataDir, 'redis-cluster')} to start a new cluster`,
    );
  }
  const deadline = Date.now() + 90_000;
  while (!(await redisClusterReady(s))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster did not reach cluster_state:ok with every replica in sync in 90 s; logs under ${path.join(s.dataDir, 'redis-cluster')}`);
    for (const n of nodes) if (!alive(n.pid)) throw new Error(`redis-server on ${n.port} exited; see its redis.log`);
    await sleep(250);
  }
  if (startedAny) log(`Redis Cluster ok on ${nodes[0].port}-${nodes.at(-1).port} (AOF ${s.appendfsync}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return {
    nodesList: clusterNodesList(s),
    startedByUs: true,
    startedAt: prev?.startedAt ?? Date.now(),
    nodes: nodes.map(({ port, pid, startedAt }) => ({ port, pid, startedAt })),
  };
}

// --- Elasticsearch cluster ------------------------------------------------------

async function esClusterHealth(url, timeoutMs = 3000) {
  try {
    const res = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    return await res.json();
  } catch {
    return null;
  }
}

function spawnEsNode(s, classpath, home, httpPort, extra) {
  fs.mkdirSync(path.join(home, 'logs'), { recursive: true });
  const out = fs.openSync(path.join(home, 'logs', 'stdout.log'), 'a');
  const args = [
    `-Xms${s.esHeap}`,
    `-Xmx${s.esHeap}`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    '-Dfile.encoding=UTF-8',
    '-Dlog4j2.formatMsgNoLookups=true',
    '-Dlog4j2.disable.jmx=true',
    '-Des.networkaddress.cache.ttl=60',
    '-cp',
    classpath,
    'dev.takedown.elasticsearch.EmbeddedNode',
    home,
    String(httpPort),
    ...extra,
  ];
  const child = spawn(s.java, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(path.join(home, 'es.pid'), `${child.pid}\n`);
  return child.pid;
}

async function upElasticsearchCluster(s, state) {
  const prevState = state.elasticsearch;
  if (prevState?.startedByUs && !prevState.nodes && alive(prevState.pid)) {
    throw new Error('a single-node Elasticsearch started by services:up is running in this data dir; run services:down first');
  }
  const prev = prevState?.startedByUs && prevState.nodes ? prevState : null;
  const n = s.esNodes;
  const names = Array.from({ length: n }, (_, i) => `takedown-es-${i}`);
  const seeds = Array.from({ length: n }, (_, i) => `127.0.0.1:${s.esTransportPort + i}`).join(',');
  const nodes = [];
  let classpath = null;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const httpPort = s.esPort + i;
    const transportPort = s.esTransportPort + i;
    const url = `http://127.0.0.1:${httpPort}`;
    const old = prev?.nodes?.find((x) => x.httpPort === httpPort);
    if (old && alive(old.pid) && (await esInfo(url))) {
      nodes.push(old);
      continue;
    }
    for (const port of [httpPort, transportPort]) {
      if (await portInUse(port)) {
        throw new Error(`port ${port} is taken by a process services:up did not start; set TAKEDOWN_ES_PORT / TAKEDOWN_ES_TRANSPORT_PORT to other base ports`);
      }
    }
    classpath ??= buildLauncher();
    const home = path.join(s.dataDir, 'es-cluster', names[i]);
    // cluster.initial_master_nodes only bootstraps a brand-new cluster; a node
    // with cluster state on disk must not get it again (Elasticsearch warns,
    // and it could bootstrap a second cluster if the others' data were wiped).
    const firstStart = !fs.existsSync(path.join(home, 'data', '_state'));
    const extra = [
      `node.name=${names[i]}`,
      `transport.port=${transportPort}`,
      `discovery.seed_hosts=${seeds}`,
      ...(firstStart ? [`cluster.initial_master_nodes=${names.join(',')}`] : []),
    ];
    const pid = spawnEsNode(s, classpath, home, httpPort, ['takedown-cluster', ...extra]);
    nodes.push({ name: names[i], url, httpPort, transportPort, pid, startedAt: Date.now() });
    log(`starting Elasticsearch node ${names[i]} (pid ${pid}, http ${httpPort}, transport ${transportPort}${firstStart ? ', bootstrapping' : ''})`);
  }
  const started = nodes.some((x) => x.startedAt >= t0);
  if (!started) log(`Elasticsearch cluster already running (${nodes.map((x) => x.httpPort).join(', ')}); reusing it`);
  // All nodes joined and at least yellow (every primary assigned); then up to
  // 60 s more for green, which a fresh cluster reaches at once and a
  // restarted one after its replicas recover.
  let health = null;
  const deadline = Date.now() + 240_000;
  for (;;) {
    health = await esClusterHealth(nodes[0].url);
    const allAnswer = (await Promise.all(nodes.map((x) => esInfo(x.url)))).every(Boolean);
    if (allAnswer && health && health.number_of_nodes === n && ['green', 'yellow'].includes(health.status)) break;
    for (const x of nodes) if (!alive(x.pid)) throw new Error(`Elasticsearch node ${x.name} exited; see ${path.join(s.dataDir, 'es-cluster', x.name, 'logs')}`);
    if (Date.now() > deadline) throw new Error(`Elasticsearch cluster did not form (${n} nodes, yellow) in 240 s; logs under ${path.join(s.dataDir, 'es-cluster')}`);
    await sleep(500);
  }
  const greenBy = Date.now() + 60_000;
  while (health?.status !== 'green' && Date.now() < greenBy) {
    await sleep(500);
    health = (await esClusterHealth(nodes[0].url)) ?? health;
  }
  const info = await esInfo(nodes[0].url);
  if (started) log(`Elasticsearch ${info?.version} cluster of ${n} nodes is ${health.status} (${((Date.now() - t0) / 1000).toFixed(1)} s, data ${path.relative(ROOT, path.join(s.dataDir, 'es-cluster'))})`);
  return {
    url: nodes.map((x) => x.url).join(','),
    startedByUs: true,
    startedAt: prev?.startedAt ?? Date.now(),
    version: info?.version,
    nodes,
  };
}

// --- commands ---------------------------------------------------------------

/**
 * Starts or reuses both servers. Returns their URLs and what was started.
 * `opts.redisCluster` starts a six-node Redis Cluster instead of the single
 * Redis; `opts.esNodes` > 1 a multi-node Elasticsearch instead of one node.
 */
export async function up(env = process.env, opts = {}) {
  const s = settings(env, opts);
  const state = readState(s);
  const [r, e] = await Promise.allSettled([
    s.redisCluster ? upRedisCluster(s, state) : upRedis(s, state),
    s.esNodes > 1 && !s.esUrl ? upElasticsearchCluster(s, state) : upElasticsearch(s, state),
  ]);
  const redisKey = s.redisCluster ? 'redisCluster' : 'redis';
  if (r.status === 'rejected' || e.status === 'rejected') {
    // Record whatever did start, so `down` can stop it, then fail.
    const partial = { ...state };
    if (r.status === 'fulfilled') partial[redisKey] = r.value;
    if (e.status === 'fulfilled') partial.elasticsearch = e.value;
    writeState(s, partial);
    throw r.status === 'rejected' ? r.reason : e.reason;
  }
  const redis = r.value;
  const elasticsearch = e.value;
  writeState(s, { [redisKey]: redis, elasticsearch });
  return {
    redisUrl: s.redisCluster ? undefined : redis.url,
    redisClusterNodes: s.redisCluster ? redis.nodesList : undefined,
    elasticsearchUrl: elasticsearch.url,
    redis: s.redisCluster ? undefined : redis,
    redisCluster: s.redisCluster ? redis : undefined,
    elasticsearch,
  };
}

async function stopPid(pid, name) {
  if (!alive(pid)) return;
  try {
    // A SIGSTOPped process cannot act on SIGTERM (failover tests freeze nodes).
    process.kill(pid, 'SIGCONT');
  } catch {}
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 150 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    log(`${name} did not stop in 15 s; killing`);
    process.kill(pid, 'SIGKILL');
  }
  log(`stopped ${name} (pid ${pid})`);
}

/**
 * Stops only what `up` started; servers named by env or already running are
 * left alone. With `startedAfter`, only servers started at or after that time
 * (so a test run stops what it started, not what services:up started before).
 * A Redis Cluster keeps its data dirs (AOF and nodes.conf): the next
 * `up --redis-cluster` re-forms the same cluster with its data.
 */
export async function down(env = process.env, { startedAfter = 0 } = {}) {
  const s = settings(env);
  const state = readState(s);
  const ours = (svc) => svc?.startedByUs && (svc.startedAt ?? 0) >= startedAfter;
  const stops = [];
  if (ours(state.redis)) stops.push(stopPid(state.redis.pid, 'redis-server'));
  if (ours(state.redisCluster)) {
    for (const n of state.redisCluster.nodes) stops.push(stopPid(n.pid, `redis-server :${n.port}`));
  }
  if (ours(state.elasticsearch)) {
    if (state.elasticsearch.nodes) {
      for (const n of state.elasticsearch.nodes) stops.push(stopPid(n.pid, `Elasticsearch ${n.name}`));
    } else stops.push(stopPid(state.elasticsearch.pid, 'Elasticsearch'));
  }
  await Promise.all(stops);
  const left = {};
  for (const key of ['redis', 'redisCluster', 'elasticsearch']) {
    if (state[key] && !ours(state[key])) left[key] = state[key];
  }
  if (Object.keys(left).length > 0 && startedAfter > 0) writeState(s, left);
  else fs.rmSync(s.stateFile, { force: true });
}

export async function status(env = process.env) {
  const s = settings(env);
  const state = readState(s);
  // redis and elasticsearch are always present (null when nothing is recorded), as before clusters.
  const out = { redis: null, elasticsearch: null };
  if (state.redis) out.redis = { ...state.redis, up: await redisPing(state.redis.url) };
  if (state.redisCluster) {
    const nodes = [];
    for (const n of state.redisCluster.nodes) {
      const info = await redisInfo(n.port, ['info', 'replication']);
      const cluster = await redisInfo(n.port, ['cluster', 'info']);
      nodes.push({ ...n, up: Boolean(info), role: info?.role ?? null, clusterState: cluster?.cluster_state ?? null });
    }
    out.redisCluster = { ...state.redisCluster, nodes, up: nodes.every((n) => n.up && n.clusterState === 'ok') };
  }
  if (state.elasticsearch?.nodes) {
    const nodes = await Promise.all(state.elasticsearch.nodes.map(async (n) => ({ ...n, up: Boolean(await esInfo(n.url)) })));
    const answering = nodes.find((n) => n.up);
    const health = answering ? await esClusterHealth(answering.url) : null;
    out.elasticsearch = { ...state.elasticsearch, nodes, health: health?.status ?? null, up: health?.status === 'green' || health?.status === 'yellow' };
  } else if (state.elasticsearch) {
    out.elasticsearch = { ...state.elasticsearch, up: await esHealthy(state.elasticsearch.url) };
  }
  return out;
}

/** `up` flags: --redis-cluster, --es-nodes N (or --es-nodes=N). */
function parseUpFlags(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--redis-cluster') opts.redisCluster = true;
    else if (a === '--es-nodes' || a.startsWith('--es-nodes=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!/^\d+$/.test(v ?? '')) throw new Error(`--es-nodes needs a number of nodes, got ${JSON.stringify(v)}`);
      opts.esNodes = Number(v);
    } else throw new Error(`unknown option ${a}; usage: services.mjs up [--redis-cluster] [--es-nodes N]`);
  }
  return opts;
}

async function main() {
  const cmd = process.argv[2];
  if (cmd === 'up') {
    const t0 = Date.now();
    const opts = parseUpFlags(process.argv.slice(3));
    const r = await up(process.env, opts);
    const lines = [];
    if (r.redisClusterNodes) lines.push(`REDIS_CLUSTER_NODES=${r.redisClusterNodes}`);
    else lines.push(`REDIS_URL=${r.redisUrl}`);
    lines.push(`ELASTICSEARCH_URL=${r.elasticsearchUrl}`);
    // Indices created on a multi-node cluster should carry a replica.
    if (r.elasticsearch.nodes) lines.push('TAKEDOWN_ES_REPLICAS=1');
    process.stdout.write(`${lines.join('\n')}\n`);
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else if (cmd === 'down') {
    await down();
  } else if (cmd === 'status') {
    process.stdout.write(`${JSON.stringify(await status(), null, 2)}\n`);
  } else {
    process.stderr.write('usage: services.mjs up [--redis-cluster] [--es-nodes N] | down | status\n');
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    log(`error: ${err.message}`);
    process.exit(1);
  });
}
