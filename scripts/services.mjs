#!/usr/bin/env node
// Brings up (or reuses) the Redis and Elasticsearch that Takedown needs, with
// no Docker: redis-server from the OS packages and a real single-node
// Elasticsearch 8.14 run on the JVM from Maven Central artifacts
// (tools/elasticsearch). `down` stops only what `up` started.
//
//   node scripts/services.mjs up|down|status
//
// Reads: REDIS_URL, ELASTICSEARCH_URL (reuse when set and reachable),
// TAKEDOWN_DATA_DIR, TAKEDOWN_REDIS_PORT, TAKEDOWN_REDIS_APPENDFSYNC,
// TAKEDOWN_ES_PORT, TAKEDOWN_ES_HEAP, JAVA_HOME. State (what we started) lives in $TAKEDOWN_DATA_DIR/services.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ES_TOOL = path.join(ROOT, 'tools', 'elasticsearch');

function settings(env = process.env) {
  const dataDir = path.resolve(ROOT, env.TAKEDOWN_DATA_DIR || '.data');
  return {
    dataDir,
    stateFile: path.join(dataDir, 'services.json'),
    redisPort: Number(env.TAKEDOWN_REDIS_PORT || 6380),
    esPort: Number(env.TAKEDOWN_ES_PORT || 9200),
    esHeap: env.TAKEDOWN_ES_HEAP || '1g',
    appendfsync: env.TAKEDOWN_REDIS_APPENDFSYNC || 'always',
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

async function upRedis(s, state) {
  if (s.redisUrl) {
    if (await redisPing(s.redisUrl)) {
      log('reusing Redis named by REDIS_URL');
      return { url: s.redisUrl, startedByUs: false };
    }
    throw new Error('REDIS_URL is set but does not answer PING; unset it to let this script start redis-server');
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
    [
      '--port', String(s.redisPort),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', s.appendfsync,
      '--save', '',
      '--daemonize', 'no',
      '--maxmemory-policy', 'noeviction',
      '--pidfile', path.join(dir, 'redis.pid'),
    ],
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
    const info = await esInfo(s.esUrl);
    if (info) {
      log(`reusing Elasticsearch ${info.version} named by ELASTICSEARCH_URL`);
      return { url: s.esUrl, startedByUs: false, version: info.version };
    }
    throw new Error('ELASTICSEARCH_URL is set but does not answer; unset it to let this script start Elasticsearch');
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
    String(s.esPort),
  ];
  const child = spawn(s.java, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.writeFileSync(path.join(home, 'es.pid'), `${child.pid}\n`);
  const started = Date.now();
  while (Date.now() - started < 180_000) {
    if (!alive(child.pid)) break;
    if (await esHealthy(url)) {
      const info = await esInfo(url);
      log(`started Elasticsearch ${info?.version} (pid ${child.pid}, ${((Date.now() - started) / 1000).toFixed(1)} s, data ${path.relative(ROOT, home)})`);
      return { url, startedByUs: true, pid: child.pid, version: info?.version, startedAt: Date.now() };
    }
    await sleep(250);
  }
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {}
  throw new Error(`Elasticsearch did not become healthy; see ${path.join(home, 'logs', 'stdout.log')}`);
}

// --- commands ---------------------------------------------------------------

/** Starts or reuses both servers. Returns their URLs and what was started. */
export async function up(env = process.env) {
  const s = settings(env);
  const state = readState(s);
  const [redis, elasticsearch] = await Promise.all([upRedis(s, state), upElasticsearch(s, state)]);
  writeState(s, { redis, elasticsearch });
  return { redisUrl: redis.url, elasticsearchUrl: elasticsearch.url, redis, elasticsearch };
}

async function stopPid(pid, name) {
  if (!alive(pid)) return;
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
 */
export async function down(env = process.env, { startedAfter = 0 } = {}) {
  const s = settings(env);
  const state = readState(s);
  const ours = (svc) => svc?.startedByUs && (svc.startedAt ?? 0) >= startedAfter;
  const stops = [];
  if (ours(state.redis)) stops.push(stopPid(state.redis.pid, 'redis-server'));
  if (ours(state.elasticsearch)) stops.push(stopPid(state.elasticsearch.pid, 'Elasticsearch'));
  await Promise.all(stops);
  const left = {};
  if (state.redis && !ours(state.redis)) left.redis = state.redis;
  if (state.elasticsearch && !ours(state.elasticsearch)) left.elasticsearch = state.elasticsearch;
  if (Object.keys(left).length > 0 && startedAfter > 0) writeState(s, left);
  else fs.rmSync(s.stateFile, { force: true });
}

export async function status(env = process.env) {
  const s = settings(env);
  const state = readState(s);
  return {
    redis: state.redis ? { ...state.redis, up: await redisPing(state.redis.url) } : null,
    elasticsearch: state.elasticsearch
      ? { ...state.elasticsearch, up: await esHealthy(state.elasticsearch.url) }
      : null,
  };
}

async function main() {
  const cmd = process.argv[2];
  if (cmd === 'up') {
    const t0 = Date.now();
    const r = await up();
    process.stdout.write(`REDIS_URL=${r.redisUrl}\nELASTICSEARCH_URL=${r.elasticsearchUrl}\n`);
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else if (cmd === 'down') {
    await down();
  } else if (cmd === 'status') {
    process.stdout.write(`${JSON.stringify(await status(), null, 2)}\n`);
  } else {
    process.stderr.write('usage: services.mjs up|down|status\n');
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    log(`error: ${err.message}`);
    process.exit(1);
  });
}
