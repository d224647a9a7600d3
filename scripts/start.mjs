#!/usr/bin/env node
// `npm start`: the whole system on embedded defaults.
//   1. Redis and Elasticsearch up (reused when REDIS_URL / ELASTICSEARCH_URL are set),
//   2. TypeScript build,
//   3. indices created and the demo corpus seeded,
//   4. every service and worker built so far started (each package with a dist/main.js),
//   5. URLs (and demo tokens, once they exist) printed.
// Ctrl-C stops the processes and the servers this run started.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { up, down } from './services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const log = (msg) => process.stderr.write(`[start] ${msg}\n`);
const DEMO_POSTS = Number(process.env.TAKEDOWN_DEMO_POSTS || 6000);

function build() {
  log('building (tsc -b)');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error('TypeScript build failed');
}

/** Packages under services/ and workers/ that have a built composition root. */
function runnables() {
  const found = [];
  for (const group of ['workers', 'services']) {
    const dir = path.join(ROOT, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const main = path.join(dir, name, 'dist', 'main.js');
      if (fs.existsSync(main)) found.push({ name: `${group}/${name}`, main });
    }
  }
  return found;
}

async function main() {
  const startedAt = Date.now();
  let services;
  try {
    services = await up(process.env);
  } catch (err) {
    log(`error: ${err.message}`);
    await down(process.env, { startedAfter: startedAt });
    process.exit(1);
  }
  const env = {
    ...process.env,
    REDIS_URL: services.redisUrl,
    ELASTICSEARCH_URL: services.elasticsearchUrl,
  };
  const children = [];
  let keepAlive;
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    clearInterval(keepAlive);
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
    await down(env, { startedAfter: startedAt });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    build();
    const shared = require(path.join(ROOT, 'shared', 'dist', 'index.js'));
    const config = shared.loadConfig(env);
    const es = shared.createElasticsearch(config.elasticsearch);
    log(`seeding ${DEMO_POSTS} demo posts into ${config.contentIndex}`);
    const seeded = await shared.seedDemoCorpus(es, config.contentIndex, {
      count: DEMO_POSTS,
      replicas: config.elasticsearch.replicas,
    });
    const { count } = await es.count({ index: config.contentIndex });
    await es.close();
    log(seeded.skipped ? `demo corpus already present (${count} documents)` : `indexed ${seeded.indexed} documents`);

    for (const r of runnables()) {
      const child = spawn(process.execPath, [r.main], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code, signal) => {
        if (!stopping) {
          log(`${r.name} exited (${signal ?? code}); stopping everything`);
          void stop(1);
        }
      });
      children.push(child);
      log(`started ${r.name} (pid ${child.pid})`);
    }

    const lines = [
      '',
      'Takedown is ready.',
      `  Redis:          ${services.redisUrl}`,
      `  Elasticsearch:  ${services.elasticsearchUrl}`,
      `  Content index:  ${config.contentIndex} (${count} documents)`,
      `  Try:            curl -s '${services.elasticsearchUrl}/${config.contentIndex}/_search?q=text:delivery&size=3'`,
      `  Processes:      ${children.length === 0 ? 'none yet' : runnables().map((r) => r.name).join(', ')}`,
      '  Ctrl-C stops everything this run started.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
    // Stay up until Ctrl-C even when no child process holds the event loop.
    keepAlive = setInterval(() => undefined, 1 << 30);
  } catch (err) {
    log(`error: ${err.message}`);
    await stop(1);
  }
}

main();
