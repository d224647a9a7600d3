import { Worker } from 'node:worker_threads';
import { UnavailableError } from '@takedown/shared';
import type { RuleTaskMessage, RuleTaskReply } from './rule-worker';
import type { RuleTaskInput, RuleTaskName, RuleTaskOutput } from './rule-tasks';
import { deserializeTaskError } from './task-error';
import { ruleWorkerFile } from './worker-file';

export interface RulePoolOptions {
  /** Worker threads (each runs one task at a time). */
  size: number;
  /** A task running longer is abandoned: its worker is killed and replaced, the caller gets 503. */
  taskTimeoutMs: number;
  /** Tasks waiting for a worker beyond this are refused (503) rather than held in memory. */
  maxQueued: number;
  /** Test-only: TaskHold.buffer; every worker stops before each task until the hold is released. */
  hold?: SharedArrayBuffer;
}

interface Pending {
  id: number;
  name: RuleTaskName;
  input: unknown;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** Loaded and waiting for tasks (a task's timeout counts from its start, not from the worker's boot). */
  ready: boolean;
  task?: Pending;
  timer?: NodeJS.Timeout;
}

/**
 * A small, bounded pool of worker threads for CPU-heavy rule work (import
 * parsing, publish validation, preview matching), so the API's event loop
 * keeps answering claims and heartbeats meanwhile. Workers start on first
 * use; a worker that times out or crashes is replaced.
 */
export class RulePool {
  private readonly file = ruleWorkerFile();
  private readonly slots: (Slot | undefined)[];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: RulePoolOptions) {
    if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError('RulePool: size must be a positive integer');
    if (!Number.isInteger(o.maxQueued) || o.maxQueued < 0) throw new RangeError('RulePool: maxQueued must be a non-negative integer');
    this.slots = Array.from({ length: o.size }, () => undefined);
  }

  run<K extends RuleTaskName>(name: K, input: RuleTaskInput<K>): Promise<RuleTaskOutput<K>> {
    if (this.closed) return Promise.reject(new UnavailableError('the rule workers are shutting down', 'rule_workers_closed'));
    return new Promise<RuleTaskOutput<K>>((resolve, reject) => {
      const task: Pending = { id: this.nextId++, name, input, resolve: resolve as (v: unknown) => void, reject };
      this.queue.push(task);
      this.pump();
      // Still waiting for a worker, and too many wait already: refuse now rather than hold it in memory.
      if (this.queue.length > this.o.maxQueued && this.queue[this.queue.length - 1] === task) {
        this.queue.pop();
        reject(new UnavailableError(`too much rule work is waiting (${this.o.maxQueued} tasks); try again shortly`, 'rule_workers_busy'));
      }
    });
  }

  /** Starts every worker now, so the first task does not wait seconds for one to load. */
  warm(): void {
    if (this.closed) return;
    for (let i = 0; i < this.slots.length; i++) if (!this.slots[i]) this.spawn(i);
  }

  /** Terminates every worker; running and waiting tasks fail with 503. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new UnavailableError('the rule workers are shutting down', 'rule_workers_closed'));
    await Promise.all(
      this.slots.map(async (slot, i) => {
        if (!slot) return;
        this.slots[i] = undefined;
        this.settle(slot, (p) => p.reject(new UnavailableError('the rule workers are shutting down', 'rule_workers_closed')));
        await slot.worker.terminate();
      }),
    );
  }

  /** Gives waiting tasks to workers without one (a booting worker takes its task once loaded). */
  private pump(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0; i++) {
      const slot = this.slots[i] ?? this.spawn(i);
      if (slot.task) continue;
      slot.task = this.queue.shift() as Pending;
      if (slot.ready) this.start(i, slot);
    }
  }

  private start(i: number, slot: Slot): void {
    const task = slot.task as Pending;
    slot.timer = setTimeout(() => this.fail(i, slot, new UnavailableError(`a rule task (${task.name}) took longer than ${this.o.taskTimeoutMs} ms and was abandoned`, 'rule_task_timeout')), this.o.taskTimeoutMs);
    slot.worker.ref();
    slot.worker.postMessage({ id: task.id, name: task.name, input: task.input } satisfies RuleTaskMessage);
  }

  private spawn(i: number): Slot {
    const worker = new Worker(this.file, { workerData: { hold: this.o.hold } });
    const slot: Slot = { worker, ready: false };
    this.slots[i] = slot;
    // An idle worker does not keep the process alive; a booting one does, as a task waits for it.
    worker.on('message', (reply: RuleTaskReply | 'ready') => {
      if (this.slots[i] !== slot) return;
      if (reply === 'ready') {
        slot.ready = true;
        if (slot.task) this.start(i, slot);
        else worker.unref();
        return;
      }
      if (slot.task?.id !== reply.id) return;
      this.settle(slot, (p) => (reply.ok ? p.resolve(reply.value) : p.reject(deserializeTaskError(reply.error))));
      worker.unref();
      this.pump();
    });
    worker.on('error', (err) => this.fail(i, slot, new UnavailableError('a rule worker crashed; try again', 'rule_worker_crashed', { cause: err })));
    worker.on('exit', (code) => this.fail(i, slot, new UnavailableError(`a rule worker exited (code ${code}); try again`, 'rule_worker_crashed')));
    return slot;
  }

  /** Ends the slot's task with `err` and replaces its worker (a killed or crashed worker is never reused). */
  private fail(i: number, slot: Slot, err: Error): void {
    if (this.slots[i] !== slot) return;
    this.slots[i] = undefined;
    this.settle(slot, (p) => p.reject(err));
    void slot.worker.terminate();
    if (this.closed) return;
    if (!slot.ready) {
      // It died while loading: another would too (a broken build); fail what waits rather than respawn in a loop.
      for (const p of this.queue.splice(0)) p.reject(err);
      return;
    }
    this.pump();
  }

  private settle(slot: Slot, end: (p: Pending) => void): void {
    clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = undefined;
    slot.timer = undefined;
    if (task) end(task);
  }
}
