/**
 * The fault suite's own Redis and Elasticsearch, started through the same
 * script as `npm run services:up` (scripts/services.mjs) on ports and a data
 * directory of their own, so a scenario can kill, stop and restart them
 * without touching a developer's or CI's servers.
 *
 * Ports: TAKEDOWN_FAULTS_REDIS_PORT (6391) and TAKEDOWN_FAULTS_ES_PORT (9291);
 * data under .data/faults/<name>.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

type ServiceState = { url: string; pid?: number; startedByUs: boolean };

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'services.mjs');

/** Runs `services.mjs <cmd>` as its own process (jest's module sandbox cannot import an ES module) and reads back what it started. */
async function runServices(cmd: 'up' | 'down', env: NodeJS.ProcessEnv): Promise<{ redis: ServiceState; elasticsearch: ServiceState }> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, cmd], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`services.mjs ${cmd} exited ${code}`))));
  });
  if (cmd === 'down') return { redis: { url: '', startedByUs: false }, elasticsearch: { url: '', startedByUs: false } };
  const stateFile = path.join(env.TAKEDOWN_DATA_DIR ?? '', 'services.json');
  return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { redis: ServiceState; elasticsearch: ServiceState };
}

export type Which = 'redis' | 'elasticsearch';

export interface FaultServices {
  redisUrl: string;
  elasticsearchUrl: string;
  /** The process id of a server this suite started. */
  pid(which: Which): number;
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM) to a server. */
  signal(which: Which, sig: NodeJS.Signals): void;
  /** Starts whatever is not running again, on the same port and data (Redis reloads its AOF, Elasticsearch its data). */
  restart(): Promise<void>;
  /** Stops both servers. */
  stop(): Promise<void>;
}

export interface FaultServicesOptions {
  /** `appendfsync` for Redis: `always` or `everysec` (default). */
  appendfsync?: 'always' | 'everysec';
  /** Redis port (default TAKEDOWN_FAULTS_REDIS_PORT or 6391). */
  redisPort?: number;
  /** Elasticsearch port (default TAKEDOWN_FAULTS_ES_PORT or 9291). */
  esPort?: number;
}

export async function startFaultServices(name: string, o: FaultServicesOptions = {}): Promise<FaultServices> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: '',
    ELASTICSEARCH_URL: '',
    TAKEDOWN_DATA_DIR: path.join(ROOT, '.data', 'faults', name),
    TAKEDOWN_REDIS_PORT: String(o.redisPort ?? Number(process.env.TAKEDOWN_FAULTS_REDIS_PORT ?? 6391)),
    TAKEDOWN_ES_PORT: String(o.esPort ?? Number(process.env.TAKEDOWN_FAULTS_ES_PORT ?? 9291)),
    TAKEDOWN_REDIS_APPENDFSYNC: o.appendfsync ?? 'everysec',
    TAKEDOWN_ES_HEAP: process.env.TAKEDOWN_ES_HEAP ?? '1g',
  };
  let state = await runServices('up', env);
  const pidOf = (which: Which): number => {
    const pid = state[which].pid;
    if (!state[which].startedByUs || pid === undefined) throw new Error(`${which} was not started by the fault suite`);
    return pid;
  };
  return {
    redisUrl: state.redis.url,
    elasticsearchUrl: state.elasticsearch.url,
    pid: pidOf,
    signal(which, sig) {
      process.kill(pidOf(which), sig);
    },
    async restart() {
      state = await runServices('up', env);
    },
    async stop() {
      for (const which of ['redis', 'elasticsearch'] as const) {
        // A stopped process cannot take SIGTERM: wake it first.
        try {
          process.kill(pidOf(which), 'SIGCONT');
        } catch {}
      }
      await runServices('down', env);
    },
  };
}

/** Prints a scenario's figures as the one JSON line the issue asks for. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ scenario, ...figures })}\n`);
}
