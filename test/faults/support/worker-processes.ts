/**
 * The triage and actions workers as separate OS processes, started from
 * their real composition roots (workers/<kind>/dist/main.js, as
 * scripts/start.mjs launches them), so a SIGKILL is a real crash: no
 * `finally`, no graceful close, locks and half-done jobs left in Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export type WorkerKind = 'triage' | 'actions';

export interface WorkerProcess {
  readonly kind: WorkerKind;
  /** The running process id (changes on every restart). */
  pid(): number;
  /** Resolves once the composition root logged that its worker started (clients built, queue attached). */
  ready(): Promise<void>;
  /** Sends SIGKILL and waits for the process to be gone. */
  kill(): Promise<void>;
  /** Starts the process again after a kill (same env). */
  restart(): Promise<void>;
  /** Sends a signal without waiting (SIGSTOP/SIGCONT). */
  signal(sig: NodeJS.Signals): void;
  /** Whether the current process is still running. */
  alive(): boolean;
  /** Graceful stop (SIGTERM), then SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** How many times the process exited on its own (neither killed nor stopped by the test). */
  unexpectedExits(): number;
}

/** The Node flags a package asks for (package.json "takedown.nodeFlags"), as scripts/start.mjs reads them. */
function nodeFlags(kind: WorkerKind): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'workers', kind, 'package.json'), 'utf8')) as { takedown?: { nodeFlags?: string[] } };
  return pkg.takedown?.nodeFlags ?? [];
}

/**
 * Starts one worker process with `env` (the same variables a deployment
 * sets: REDIS_URL, ELASTICSEARCH_URL, TAKEDOWN_*_PREFIX...). Its log goes to
 * `logFile` (appended), so a failed scenario can be read afterwards.
 */
export function startWorkerProcess(kind: WorkerKind, env: NodeJS.ProcessEnv, logFile: string): WorkerProcess {
  const main = path.join(ROOT, 'workers', kind, 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} missing: run npx tsc -b first`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  let child: ChildProcess;
  let readyP: Promise<void>;
  let unexpected = 0;
  let expectingExit = false;

  const launch = () => {
    expectingExit = false;
    const out = fs.openSync(logFile, 'a');
    child = spawn(process.execPath, [...nodeFlags(kind), main], { cwd: ROOT, env, stdio: ['ignore', 'pipe', out] });
    fs.closeSync(out);
    const c = child;
    readyP = new Promise<void>((resolve, reject) => {
      let buf = '';
      c.stdout?.on('data', (d: Buffer) => {
        fs.appendFileSync(logFile, d);
        if (buf !== '\0') {
          buf += d.toString();
          // The composition root logs "<kind> worker started" once everything is wired.
          if (buf.includes(`${kind} worker started`)) {
            buf = '\0';
            resolve();
          }
        }
      });
      c.once('exit', (code, sig) => reject(new Error(`${kind} worker exited (${sig ?? code}) before it started`)));
    });
    readyP.catch(() => undefined);
    c.once('exit', () => {
      if (!expectingExit) unexpected++;
    });
  };
  const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
  launch();

  return {
    kind,
    pid: () => child.pid ?? -1,
    ready: () => readyP,
    alive: () => child.exitCode === null && child.signalCode === null,
    signal(sig) {
      child.kill(sig);
    },
    async kill() {
      expectingExit = true;
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      launch();
      await readyP;
    },
    async stop() {
      expectingExit = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(t);
    },
    unexpectedExits: () => unexpected,
  };
}

/** The environment a worker process of this scenario runs with: the scenario's servers and prefixes. */
export function workerEnv(o: { redisUrl: string; elasticsearchUrl: string; prefix: string; extra?: Record<string, string> }): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    REDIS_URL: o.redisUrl,
    ELASTICSEARCH_URL: o.elasticsearchUrl,
    TAKEDOWN_INDEX_PREFIX: o.prefix,
    TAKEDOWN_CONTENT_INDEX: `${o.prefix}-content`,
    TAKEDOWN_QUEUE_PREFIX: `{${o.prefix}}`,
    // Metrics on any free local port: scenarios (and other runs on the host) never fight over the defaults.
    ...Object.fromEntries(['TRIAGE', 'ACTIONS'].flatMap((w) => [[`TAKEDOWN_${w}_METRICS_PORT`, '0'], [`TAKEDOWN_${w}_METRICS_HOST`, '127.0.0.1']])),
    ...o.extra,
  };
}
