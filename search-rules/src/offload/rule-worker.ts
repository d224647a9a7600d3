// The rule worker thread: runs ruleTasks by name for a RulePool.
import { parentPort, workerData } from 'node:worker_threads';
import { ruleTasks, type RuleTaskName } from './rule-tasks';
import { serializeTaskError } from './task-error';
import { waitAtHold } from './task-hold';
import { regexEngineFailed } from '../regex-rule';

export interface RuleTaskMessage {
  id: number;
  name: RuleTaskName;
  input: unknown;
}

export type RuleTaskReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ReturnType<typeof serializeTaskError> };

const port = parentPort;
if (!port) throw new Error('rule-worker runs only in a worker thread');
const hold = (workerData as { hold?: SharedArrayBuffer } | undefined)?.hold;

port.on('message', (m: RuleTaskMessage) => {
  let reply: RuleTaskReply;
  try {
    if (hold) waitAtHold(hold);
    if (!Object.hasOwn(ruleTasks, m.name)) throw new Error(`unknown rule task ${String(m.name)}`);
    const run = ruleTasks[m.name] as (input: unknown) => unknown;
    reply = { id: m.id, ok: true, value: run(m.input) };
  } catch (err) {
    reply = { id: m.id, ok: false, error: serializeTaskError(err) };
  }
  port.postMessage(reply);
  // This thread's RE2 aborted and cannot be reloaded: end the thread (after the reply), and the pool starts a fresh one.
  if (regexEngineFailed()) process.exit(70);
});
// Loaded: the pool starts giving tasks (and timing them) from here.
port.postMessage('ready');
