import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export type WorkerName = 'triage' | 'actions' | 'backfill' | 'legal' | 'dsa-submitter';

/** The variable prefix of each worker's metrics host and port (env-spec's workerMetricsEnvVars). */
const METRICS_PREFIX: Record<WorkerName, string> = {
  triage: 'TAKEDOWN_TRIAGE',
  actions: 'TAKEDOWN_ACTIONS',
  backfill: 'TAKEDOWN_BACKFILL',
  legal: 'TAKEDOWN_LEGAL',
  'dsa-submitter': 'TAKEDOWN_DSA_SUBMITTER',
};

export interface WorkerMain {
  name: WorkerName;
  /** Its metrics endpoint, e.g. http://127.0.0.1:40123/metrics. */
  metricsUrl: string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * One worker from its real composition root (workers/<name>/dist/main.js),
 * its metrics endpoint on 127.0.0.1 and a free port, which it logs: resolves
 * once that line is out (the root starts its metrics server last).
 */
export async function startWorkerMain(name: WorkerName, env: NodeJS.ProcessEnv): Promise<WorkerMain> {
  const main = path.join(ROOT, 'workers', name, 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} missing: run npx tsc -b first`);
  const prefix = METRICS_PREFIX[name];
  const child = spawn(process.execPath, [main], { cwd: ROOT, env: { ...env, LOG_LEVEL: 'info', [`${prefix}_METRICS_PORT`]: '0', [`${prefix}_METRICS_HOST`]: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const entry = (() => {
          try {
            return JSON.parse(line) as { msg?: string; port?: number };
          } catch {
            return undefined;
          }
        })();
        if (entry?.msg?.endsWith('metrics listening') && typeof entry.port === 'number') resolve(entry.port);
      }
    });
    child.once('exit', (code, sig) => reject(new Error(`${name} exited (${sig ?? code}) before serving metrics: ${stderr.slice(0, 2000)}`)));
  });
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    name,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}
