// R1 (issue 15): the triage and actions workers, each a separate OS process
// started from its real composition root, are SIGKILLed 20 times at points
// drawn from a seeded PRNG while 10,000 reports flow in through
// POST /v1/reports and a moderator decides cases through the API. After the
// last restart and the queues drain: 0 reports lost, 0 duplicate cases,
// 0 duplicate actions (definitions in support/moderation-ledger.ts).
//
// The kill points are counts of acknowledged reports (deterministic for a
// seed); which worker dies at each point is drawn from the same PRNG.
// Replay a run with TAKEDOWN_FAULTS_SEED=<seed printed in the JSON line>.
import path from 'node:path';
import { createRng, pick } from '@takedown/shared';
import { report, startFaultServices, type FaultServices } from './support/fault-services';
import { startFaultApi, type FaultApi } from './support/fault-moderation-api';
import { startWorkerProcess, workerEnv, type WorkerKind, type WorkerProcess } from './support/worker-processes';
import { reportMix, sendReports } from './support/report-load';
import { startModeratorLoop } from './support/moderator-loop';
import { moderationLedger, waitForDrain } from './support/moderation-ledger';

const SEED = Number(process.env['TAKEDOWN_FAULTS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const REPORTS = Number(process.env['TAKEDOWN_FAULTS_R1_REPORTS'] ?? 10_000);
const KILLS = 20;
const LOG_DIR = path.resolve(__dirname, '..', '..', '.data', 'faults', 'r1', 'logs');

let svc: FaultServices;
let api: FaultApi;
const workers = {} as Record<WorkerKind, WorkerProcess>;

beforeAll(async () => {
  svc = await startFaultServices('r1');
  api = await startFaultApi('r1', svc);
  const env = workerEnv({ redisUrl: svc.redisUrl, elasticsearchUrl: svc.elasticsearchUrl, prefix: api.ctx.prefix });
  for (const kind of ['triage', 'actions'] as const) workers[kind] = startWorkerProcess(kind, env, path.join(LOG_DIR, `${api.ctx.prefix}-${kind}.log`));
  await Promise.all(Object.values(workers).map((w) => w.ready()));
}, 300_000);

afterAll(async () => {
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  await api?.stop();
  await svc?.stop();
}, 120_000);

test(`${KILLS} SIGKILLs of the workers during ${REPORTS} reports: none lost, no duplicate case or action`, async () => {
  const t0 = Date.now();
  const rng = createRng(SEED);
  // Kill points spread over the intake (3 %..95 % of the acknowledged reports), distinct and sorted.
  const points = new Set<number>();
  while (points.size < KILLS) points.add(Math.floor(REPORTS * (0.03 + rng() * 0.92)));
  const plan = [...points].sort((a, b) => a - b).map((at) => ({ at, kill: pick(rng, [['triage'], ['actions'], ['triage', 'actions']] as const) }));

  // Kills run one after another: each waits until the previous restart is up, kills (SIGKILL, process gone),
  // then starts the worker again. New reports wait only for the kill at their point (the gate), not for the
  // restart: reports keep flowing while a worker is down and coming back.
  let chain = Promise.resolve();
  let killedAtPoint = Promise.resolve();
  let next = 0;
  const killed: Record<WorkerKind, number> = { triage: 0, actions: 0 };
  const onAck = (acked: number) => {
    while (next < plan.length && acked >= plan[next]!.at) {
      const step = plan[next++]!;
      const killDone = chain.then(async () => {
        await Promise.all(step.kill.map((k) => workers[k].kill()));
        for (const k of step.kill) killed[k]++;
      });
      killedAtPoint = killDone;
      chain = killDone.then(async () => {
        await Promise.all(step.kill.map((k) => workers[k].restart()));
      });
    }
  };

  const moderator = startModeratorLoop(api);
  const load = await sendReports(
    reportMix({ count: REPORTS, contents: Math.round(REPORTS * 0.3), autoEvery: 4, tag: 'r1', reporterToken: api.tokens.reporter, detectorToken: api.tokens.detector }),
    { apiUrl: api.url, concurrency: 16, tokenIdOf: (t) => (t === api.tokens.detector ? api.tokenIds.detector : api.tokenIds.reporter), onAck, gate: () => killedAtPoint, retries503: 20 },
  );
  await chain;
  const intakeDoneMs = Date.now() - t0;
  // The moderator goes on a little after the last kill: decisions taken while the restarted workers catch up.
  await new Promise((r) => setTimeout(r, 5000));
  const moderated = await moderator.stop();
  const drain = await waitForDrain(api.ctx, 180_000);
  const ledger = await moderationLedger(api.ctx, load.acknowledged);

  report('R1', {
    seed: SEED,
    reports: REPORTS,
    kills: { planned: KILLS, triage: killed.triage, actions: killed.actions, atAcknowledged: plan.map((p) => `${p.at}:${p.kill.join('+')}`) },
    unexpectedWorkerExits: workers.triage.unexpectedExits() + workers.actions.unexpectedExits(),
    intake: { acknowledged: load.acknowledged.size, refused: load.refused, retried503: load.retried503, reportsPerSecond: load.reportsPerSecond },
    moderatorDecisions: moderated.decided,
    moderatorRefused: moderated.refused,
    ...ledger,
    intakeDoneMs,
    drain,
    totalMs: Date.now() - t0,
  });

  expect(killed.triage + killed.actions).toBeGreaterThanOrEqual(KILLS);
  expect(load.acknowledged.size).toBe(REPORTS);
  expect(ledger.automatedDecisions).toBeGreaterThan(0);
  expect(moderated.decided).toBeGreaterThan(0);
  expect({
    drained: drain.drained,
    lostReports: ledger.lostReports,
    duplicateCases: ledger.duplicateCases,
    reportsFoldedTwice: ledger.reportsFoldedTwice,
    reportCountMismatches: ledger.reportCountMismatches,
    duplicateActions: ledger.duplicateActions,
    duplicateAutoDecisions: ledger.duplicateAutoDecisions,
    unappliedDecisions: ledger.unappliedDecisions,
    contentMissingDecision: ledger.contentMissingDecision,
    failedJobs: ledger.failedJobs,
    examples: ledger.examples,
  }).toEqual({
    drained: true,
    lostReports: 0,
    duplicateCases: 0,
    reportsFoldedTwice: 0,
    reportCountMismatches: 0,
    duplicateActions: 0,
    duplicateAutoDecisions: 0,
    unappliedDecisions: 0,
    contentMissingDecision: 0,
    failedJobs: { reports: 0, actions: 0 },
    examples: {},
  });
});
