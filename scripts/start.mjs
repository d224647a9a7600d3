#!/usr/bin/env node
// `npm start`: the whole system on embedded defaults.
//   1. Redis and Elasticsearch up (reused when REDIS_URL / ELASTICSEARCH_URL are set),
//   2. TypeScript build,
//   3. the content index created,
//   4. every service and worker started (each package with a dist/main.js);
//      the API publishes the shipped lists as ruleset v1 when nothing is,
//   5. one demo token per role created, the demo corpus written through the
//      ingest service (scanned as the platform's indexer's posts would be:
//      sale offers hidden, cases opened), demo reports filed through the API,
//      demo subscriber data (accounts with phone numbers, sign-ins) written
//      straight into Elasticsearch as the platform would, and the
//      development legal keys made under the data dir when none are configured,
//      the demo feature switches published through the API (fresh installs only),
//   6. URLs and tokens printed.
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
const DEMO_REPORTS = Number(process.env.TAKEDOWN_DEMO_REPORTS || 60);
const API_PORT = Number(process.env.TAKEDOWN_API_PORT || 8080);
const SEARCH_PORT = Number(process.env.TAKEDOWN_SEARCH_PORT || 8090);
const INGEST_PORT = Number(process.env.TAKEDOWN_INGEST_PORT || 8070);
const DATA_DIR = path.resolve(ROOT, process.env.TAKEDOWN_DATA_DIR || '.data');
const DEMO_ROLES = ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest', 'service', 'metrics'];
/** The agency the demo agency token acts for (registered on start). */
const DEMO_AGENCY = { id: 'demo-police', name: 'Demo Police (law enforcement)', country: 'DE', function: 'law_enforcement' };
/**
 * Demo tokens beyond one per role: a moderator cleared for the csam queue, a
 * reporter with trusted-flagger standing, the legal desk's agency, two more
 * legal officers (two approve, neither the one who entered a request) and
 * one holding the emergency grant.
 */
const DEMO_EXTRA = {
  'moderator-csam': { role: 'moderator', grants: { csam: true } },
  'reporter-flagger': { role: 'reporter', grants: { standing: 'trusted_flagger' } },
  agency: { role: 'agency', grants: { agency: DEMO_AGENCY.id } },
  'legal-2': { role: 'legal', grants: {} },
  'legal-3': { role: 'legal', grants: {} },
  'legal-emergency': { role: 'legal', grants: { emergency: true } },
};

/**
 * One fresh token per role (earlier demo tokens revoked: only hashes are
 * stored, so they cannot be shown again). Each demo token belongs to its own
 * demo person, made on the first start and reused after.
 */
async function demoTokens(shared, redis, config, es) {
  const indices = await shared.ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  const legal = new shared.LegalStore(es, indices);
  if (!(await legal.getAgency(DEMO_AGENCY.id))) await legal.createAgency({ ...DEMO_AGENCY, createdAt: new Date().toISOString(), createdBy: 'takedown-demo' });
  const keys = shared.moderationKeys(config.queuePrefix);
  const tokens = new shared.TokenStore(redis, keys);
  await shared.migrateLegacyTokens(redis, keys, tokens);
  const live = await tokens.list();
  const out = {};
  for (const role of [...DEMO_ROLES, ...Object.keys(DEMO_EXTRA)]) {
    const name = `demo-${role}`;
    if (live.some((t) => t.name === name && !t.revokedAt)) await tokens.revoke(name, 'takedown-demo');
    const { role: realRole, grants } = DEMO_EXTRA[role] ?? { role, grants: {} };
    if (!(await tokens.people.get(name))) await tokens.people.create({ id: name, displayName: `Demo ${role}`, roles: [realRole], grants }, 'takedown-demo');
    out[role] = (await tokens.issue(name, { role: realRole, name, createdBy: 'takedown-demo' })).token;
  }
  return out;
}

/**
 * A few law-enforcement requests on the demo desk, filed through the API as
 * the demo agency: one approved by two officers (its package is built by
 * the legal worker and counted in this quarter's transparency report), one
 * waiting for review, one on a subpoena the policy check sends back for
 * information, and one emergency.
 */
async function demoLegalRequests(tokens) {
  const api = `http://127.0.0.1:${API_PORT}`;
  const call = async (token, method, p, body) => {
    const res = await fetch(`${api}${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const day = 86_400_000;
  const now = Date.now();
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% demo order\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1').toString('base64');
  const order = (over) => ({ kind: 'court_order', reference: 'AG-DEMO-1', issuedBy: 'Amtsgericht Demo', issuedAt: new Date(now - 5 * day).toISOString().slice(0, 10), document: { base64: pdf, filename: 'order.pdf' }, ...over });
  const request = (over) => ({
    type: 'records',
    requester: { name: 'KHK Demo', email: 'khk.demo@police.example' },
    legalProcess: order({}),
    legalBasis: 'Sec. 100g StPO',
    offenceCategory: 'drug_trafficking',
    statesSuspect: true,
    targets: [{ kind: 'account_id', value: 'user-1', role: 'suspect' }],
    dataRequested: ['ip_addresses', 'phone_number'],
    period: { from: new Date(now - 180 * day).toISOString(), to: new Date(now - day).toISOString() },
    nonDisclosureUntil: null,
    dueAt: new Date(now + 14 * day).toISOString(),
    ...over,
  });
  let filed = 0;
  const file = async (body) => {
    const r = await call(tokens.agency, 'POST', '/v1/legal/requests', body);
    if (r.status === 201) filed++;
    return r.body?.request;
  };
  const approved = await file(request({ targets: [{ kind: 'account_id', value: 'user-1', role: 'suspect' }, { kind: 'account_id', value: 'user-2', role: 'suspect' }] }));
  if (approved?.state === 'acknowledged') {
    await call(tokens.legal, 'POST', `/v1/legal/requests/${approved.id}/start-review`, {});
    for (const t of approved.targets) await call(tokens.legal, 'POST', `/v1/legal/requests/${approved.id}/targets/${t.index}/decision`, { produce: true });
    await call(tokens['legal-2'], 'POST', `/v1/legal/requests/${approved.id}/approve`, {});
    await call(tokens['legal-3'], 'POST', `/v1/legal/requests/${approved.id}/approve`, {});
  }
  await file(request({ legalProcess: order({ reference: 'AG-DEMO-2' }), targets: [{ kind: 'account_id', value: 'user-3', role: 'suspect' }], nonDisclosureUntil: new Date(now + 90 * day).toISOString() }));
  await file(request({ legalProcess: order({ kind: 'subpoena', reference: 'SUBP-DEMO-3' }), targets: [{ kind: 'account_id', value: 'user-4', role: 'suspect' }] }));
  await file(
    request({
      type: 'emergency',
      legalProcess: { kind: 'emergency_letter', reference: 'EMERG-DEMO-4', issuedBy: 'Demo police duty officer', issuedAt: new Date(now).toISOString().slice(0, 10) },
      targets: [{ kind: 'account_id', value: 'user-5', role: 'suspect' }],
      dataRequested: ['ip_addresses'],
      emergency: { description: 'Demo: a credible threat to a named person, reported tonight.' },
    }),
  );
  return filed;
}

/** `(method, path, body?) → { status, body }` against the local API with one token (shared.publishDemoFeatures calls through it). */
function apiCall(token) {
  return async (method, p, body) => {
    const res = await fetch(`http://127.0.0.1:${API_PORT}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

async function waitFor(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * Files reports on some of the demo corpus's spam through the API, so the
 * queues have user reports too; every seventh comes from the trusted
 * flagger's token (standing is the token's, never the body's).
 */
async function demoReports(shared, tokens) {
  const posts = shared.generateDemoCorpus({ count: DEMO_POSTS }).filter((p) => p.kind !== 'benign').slice(0, DEMO_REPORTS);
  let filed = 0;
  for (const [i, post] of posts.entries()) {
    const res = await fetch(`http://127.0.0.1:${API_PORT}/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${i % 7 === 0 ? tokens['reporter-flagger'] : tokens.reporter}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        reportId: `demo-${post.id}`,
        content: { id: post.id, type: 'post', text: post.text, authorId: post.authorId, lang: post.lang, createdAt: post.createdAt },
        reporter: { id: `demo-user-${i % 13}` },
        reason: post.kind === 'drugs' ? 'drugs' : 'fraud',
      }),
    });
    if (res.status === 202) filed++;
  }
  return filed;
}

/**
 * Writes the demo corpus through the ingest service with an unmodified
 * Elasticsearch client, as a platform's indexer would: every post is
 * scanned on the way in. Waits until ingest has the published ruleset.
 */
async function seedThroughIngest(shared, config, token) {
  const url = `http://127.0.0.1:${INGEST_PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (r?.ok) break;
    if (Date.now() > deadline) throw new Error(`the ingest service at ${url} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const client = shared.createElasticsearch({ url, apiKey: token, requestTimeoutMs: 120_000 });
  const posts = shared.generateDemoCorpus({ count: DEMO_POSTS }).map(({ kind: _kind, ...doc }) => doc);
  const result = await client.helpers.bulk({
    datasource: posts,
    onDocument: (doc) => ({ index: { _index: config.contentIndex, _id: doc.id } }),
    flushBytes: 2_000_000,
    retries: 5,
    wait: 1000,
    onDrop: (d) => log(`ingest dropped ${d.document?.id}: ${d.error?.type ?? d.status}`),
  });
  await client.close();
  return result;
}

/**
 * The legal desk's demo: subscriber data written straight into
 * Elasticsearch (the platform fills those indices, not Takedown), and the
 * development signing and encryption keys under the data dir when none are
 * configured. Neither in production: demo accounts never go into a real
 * platform's index, and production keys come from config.
 */
async function legalDemo(shared, es, config) {
  const configured = Boolean(config.legal.signingKey && config.legal.encryptionKey);
  if (config.env === 'production') {
    return { subscriberLine: 'not seeded in production', keysLine: configured ? 'from config' : 'TAKEDOWN_LEGAL_SIGNING_KEY and TAKEDOWN_LEGAL_ENCRYPTION_KEY are not set' };
  }
  const t0 = Date.now();
  const names = { accounts: config.legal.accountsIndex, signIns: config.legal.signInsIndex };
  const r = await shared.seedDemoSubscribers(es, names, { posts: DEMO_POSTS, replicas: config.elasticsearch.replicas });
  const subscriberLine = r.skipped
    ? `${r.accounts} accounts and ${r.signIns} sign-ins already there; kept`
    : `${r.accounts} demo accounts with phone numbers in ${r.countries} countries, ${r.signIns} sign-ins, written in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  log(`subscribers: ${subscriberLine}`);
  let keysLine = 'from config';
  if (!configured) {
    const dev = shared.ensureDevLegalKeys(path.join(DATA_DIR, 'legal-keys'));
    keysLine = `development keys; packages verify with npx takedown legal verify PACKAGE (public key ${path.relative(ROOT, dev.publicKeyFile)})`;
  }
  return { subscriberLine, keysLine };
}

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
      if (!fs.existsSync(main)) continue;
      // A package may name the Node flags its process runs with (package.json "takedown.nodeFlags").
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
      found.push({ name: `${group}/${name}`, main, flags: pkg.takedown?.nodeFlags ?? [] });
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
    const config = shared.loadConfig(env, [...shared.coreEnvVars, ...shared.legalEnvVars]);
    const es = shared.createElasticsearch(config.elasticsearch);
    await shared.ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
    const { subscriberLine, keysLine } = await legalDemo(shared, es, config);
    const present = (await es.count({ index: config.contentIndex })).count;
    const redis = shared.createRedis(config.redis.url, { connectionName: 'start' });
    const tokens = config.env === 'production' ? {} : await demoTokens(shared, redis, config, es);
    redis.disconnect();

    for (const r of runnables()) {
      const child = spawn(process.execPath, [...r.flags, r.main], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code, signal) => {
        if (!stopping) {
          log(`${r.name} exited (${signal ?? code}); stopping everything`);
          void stop(1);
        }
      });
      children.push(child);
      log(`started ${r.name} (pid ${child.pid})`);
    }

    let filed = 0;
    let legalFiled = 0;
    let seededLine = "the demo corpus was already there; kept, with its moderation state";
    if (tokens.ingest && (await waitFor(`http://127.0.0.1:${API_PORT}/healthz`, 30000))) {
      if (present < DEMO_POSTS) {
        log(`writing ${DEMO_POSTS} demo posts through the ingest service`);
        const r = await seedThroughIngest(shared, config, tokens.ingest);
        await es.indices.refresh({ index: config.contentIndex });
        const states = await es.search({ index: config.contentIndex, size: 0, aggs: { s: { terms: { field: 'moderation.state', missing: 'none' } } } });
        const by = Object.fromEntries(states.aggregations.s.buckets.map((b) => [b.key, b.doc_count]));
        seededLine = `${r.successful} demo posts written through ingest (${r.failed} failed): ${(by.excluded ?? 0) + (by.removed ?? 0)} hidden, ${by.suspected ?? 0} demoted, the rest clean`;
        log(seededLine);
        // Reports once, with the corpus: report ids are scoped to tokens, and the demo tokens are new on every start.
        filed = await demoReports(shared, tokens);
        legalFiled = await demoLegalRequests(tokens);
      }
    }
    // Feature switches: published once through the API as a lead would (audited); a restart keeps later edits.
    let featuresLine = 'not published (no demo tokens)';
    if (tokens.lead && (await waitFor(`http://127.0.0.1:${API_PORT}/healthz`, 30000))) {
      try {
        const version = await shared.publishDemoFeatures(apiCall(tokens.lead));
        featuresLine = version === undefined ? 'already published; kept' : `demo switches published as version ${version}`;
      } catch (err) {
        featuresLine = `demo switches not published: ${err.message}`;
      }
      log(featuresLine);
    }
    const { count } = await es.count({ index: config.contentIndex });
    await es.close();
    const api = `http://localhost:${API_PORT}`;
    const lines = [
      '',
      'Takedown is ready.',
      `  Console:        ${api}/   (sign in with a demo token below; job board at ${api}/admin/queues/ for admin)`,
      `  Moderation API: ${api}   (${filed} demo reports filed; triage folds them into cases)`,
      `  Search service: http://localhost:${SEARCH_PORT}   (point an Elasticsearch client here; index ${config.contentIndex})`,
      `  Ingest service: http://localhost:${INGEST_PORT}   (the platform's indexer writes here: every post scanned before it is stored)`,
      `  Redis:          ${services.redisUrl}`,
      `  Elasticsearch:  ${services.elasticsearchUrl}`,
      `  Content index:  ${config.contentIndex} (${count} documents; ${seededLine})`,
      `  Subscribers:    ${config.legal.accountsIndex}, ${config.legal.signInsIndex} (${subscriberLine})`,
      `  Legal keys:     ${keysLine}`,
      `  Check:          npm run demo:check   (no post the live rules hide comes back from any search)`,
      `  Statements:     ${env.TAKEDOWN_TDB_URL ? `submitted to the Transparency Database at ${new URL(env.TAKEDOWN_TDB_URL).host}` : 'submission off (TAKEDOWN_TDB_URL not set): statements of reasons stay pending'}; console page ${api}/#/statements`,
      `  Switches:       people_nearby and telegraph_media_upload off everywhere, live_streams off in BR (${featuresLine}); console page ${api}/#/switches`,
      `  Processes:      ${children.length === 0 ? 'none yet' : runnables().map((r) => r.name).join(', ')}`,
      ...(Object.keys(tokens).length
        ? [
            '  Demo tokens (new on every start; earlier demo tokens are revoked):',
            ...Object.entries(tokens).map(([role, t]) => `    ${role.padEnd(15)} ${t}`),
            `  Try:            curl -s -H 'Authorization: Bearer ${tokens.moderator}' -X POST -H 'content-type: application/json' -d '{"queue":"default"}' ${api}/v1/review/claim`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.metrics}' ${api}/metrics   (every service and worker: the workers on 9191-9195, e.g. http://localhost:9191/metrics for triage)`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.legal}' '${api}/v1/legal/requests?state=acknowledged,in_review'   (the legal desk${legalFiled ? `: ${legalFiled} demo requests` : ''}; agency ${DEMO_AGENCY.id})`,
            `                  curl -s '${api}/v1/transparency/legal?period=${new Date().getUTCFullYear()}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}&format=csv'   (public)`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.search}' -H 'content-type: application/json' -d '{"query":{"match":{"text":"delivery"}}}' http://localhost:${SEARCH_PORT}/${config.contentIndex}/_search`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.search}' -H 'content-type: application/json' -d '{"query":{"match":{"text":"buy c0caine"}}}' http://localhost:${SEARCH_PORT}/${config.contentIndex}/_search`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.service}' '${api}/v1/features/evaluate?country=BR&platform=ios'   (every switch for a caller in Brazil, with the deciding rule)`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.search}' -H 'X-Takedown-Country: DE' -H 'content-type: application/json' -d '{"query":{"geo_distance":{"distance":"2km","location":{"lat":52.52,"lon":13.4},"ignore_unmapped":true}}}' http://localhost:${SEARCH_PORT}/${config.contentIndex}/_search   (People Nearby off: refused, takedown.category feature_off)`,
            `                  curl -s -H 'Authorization: Bearer ${tokens.service}' -H 'content-type: application/json' -d '{"feature":"telegraph_media_upload","country":"FR","accountId":"u1","media":{"sha256":"${'0'.repeat(64)}","size":1024,"mime":"image/png"}}' ${api}/v1/uploads/check   (the upload gate: feature_off)`,
            `                  curl -s -X PUT -H 'Authorization: Bearer ${tokens.ingest}' -H 'content-type: application/json' -d '{"id":"my-post","type":"post","text":"s3lling c0caine, fast delivery","authorId":"u1","createdAt":"2026-11-30T12:00:00Z"}' http://localhost:${INGEST_PORT}/${config.contentIndex}/_doc/my-post`,
          ]
        : []),
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
