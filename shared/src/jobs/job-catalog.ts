import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions, type Processor, type WorkerOptions } from 'bullmq';
import { observeJobs, type JobMetrics } from '../metrics/job-metrics';
import type { RedisClient } from '../clients/redis';
import { writeThenWait } from '../clients/replication';
import { UnavailableError } from '../errors/takedown-error';
import type { Logger } from '../logging/logger';
import { compileValidator, type Validator } from '../validation/validator';
import {
  actionJobSchema,
  backfillJobSchema,
  legalRequestJobSchema,
  reportJobSchema,
  type ActionJob,
  type BackfillJob,
  type LegalRequestJob,
  type ReportJob,
} from './payloads';

/** Queue name → payload type. */
export interface JobPayloads {
  reports: ReportJob;
  actions: ActionJob;
  backfill: BackfillJob;
  'legal-package': LegalRequestJob;
  'legal-preserve': LegalRequestJob;
  'legal-notice': LegalRequestJob;
}

export type QueueName = keyof JobPayloads;

export interface QueueDefinition<N extends QueueName> {
  name: N;
  validate: Validator<JobPayloads[N]>;
  /** Defaults every job on this queue gets; the caller may add jobId and priority. */
  jobOptions: JobsOptions;
  description: string;
  /**
   * How many times a job may be found stalled (the process holding it died
   * or hung past its lock) and still run again; BullMQ's default is 1, and a
   * job stalled once more fails unrun ("job stalled more than allowable
   * limit"). Stalls are the worker's crashes, not the job's failures, and
   * count apart from `attempts`.
   */
  maxStalledCount?: number;
}

/**
 * Failed jobs are never removed: they stay in the failed set, visible in
 * /metrics and the admin board, until someone retries or discards them.
 */
const keepFailed = { removeOnFail: false } as const;

function define<N extends QueueName>(
  name: N,
  schema: object,
  jobOptions: JobsOptions,
  description: string,
  more: Pick<QueueDefinition<N>, 'maxStalledCount'> = {},
): QueueDefinition<N> {
  return { name, validate: compileValidator<JobPayloads[N]>(schema, `${name} job`), jobOptions, description, ...more };
}

/**
 * Stall tolerance of the queues whose processors are idempotent (a report
 * folds once by its id; a decision is applied once by its id): a worker
 * SIGKILLed twice while holding the same job must not fail it unrun. With
 * BullMQ's default of 1, fault scenario R1 (20 kills) failed actions jobs
 * that way, and the decision stayed unapplied: the outbox sweeper cannot
 * re-add a job id that is still in the failed set. Bounded, so a job that
 * itself crashes its worker every time still ends in the failed set.
 */
const CRASH_TOLERANT = { maxStalledCount: 10 } as const;

export const jobCatalog: { [N in QueueName]: QueueDefinition<N> } = {
  reports: define(
    'reports',
    reportJobSchema,
    { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 86400, count: 100000 }, ...keepFailed },
    'User and detector reports waiting for triage (jobId = reportId).',
    CRASH_TOLERANT,
  ),
  actions: define(
    'actions',
    actionJobSchema,
    { attempts: 10, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 7 * 86400 }, ...keepFailed },
    'Decisions to apply to content in Elasticsearch (jobId = decisionId).',
    CRASH_TOLERANT,
  ),
  backfill: define(
    'backfill',
    backfillJobSchema,
    { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 30 * 86400 }, ...keepFailed },
    'Tag existing documents with newly published content rules.',
  ),
  'legal-package': define(
    'legal-package',
    legalRequestJobSchema,
    // Completed jobs are kept: the id is the request's, so a re-enqueue by the sweeper never builds a second package.
    { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 30 * 86400 }, ...keepFailed },
    'Build, sign, encrypt and store the disclosure package of an approved legal request (jobId = request id).',
  ),
  'legal-preserve': define(
    'legal-preserve',
    legalRequestJobSchema,
    { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 30 * 86400 }, ...keepFailed },
    'Copy the targets’ sign-ins for the period of an approved preservation request into the preservation store (jobId = request id).',
  ),
  'legal-notice': define(
    'legal-notice',
    legalRequestJobSchema,
    { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 7 * 86400 }, ...keepFailed },
    'Delayed to a gag order’s end: makes the user notices it held due (jobId = notice-<request id>-<time>).',
  ),
};

/** BullMQ's "fail now, never retry", for processors that refuse a job (they depend on shared, not on bullmq). */
export { UnrecoverableError };

export const QUEUE_NAMES = Object.keys(jobCatalog) as QueueName[];

/**
 * The BullMQ prefix of one queue: the queue prefix's hash tag with the queue
 * name inside it (`{takedown}` + reports = `{takedown:reports}`). BullMQ
 * needs every key of one queue in one slot (its scripts touch several), and
 * a tag per queue puts different queues on different slots of a Redis
 * Cluster instead of all of them on one node. Every Queue, Worker,
 * QueueEvents and board adapter takes its prefix from here.
 */
export function queuePrefixFor(queuePrefix: string, name: string): string {
  const m = /^\{([^{}]+)\}$/.exec(queuePrefix);
  if (!m) throw new RangeError('the queue prefix must be one hash tag, like {takedown}');
  return `{${m[1] as string}:${name}}`;
}

/** A BullMQ Queue of the catalog on its own hash tag (reads and the board; CatalogQueue adds). */
export function catalogBullQueue(name: QueueName, connection: RedisClient, queuePrefix: string): Queue {
  return new Queue(name, { connection, prefix: queuePrefixFor(queuePrefix, name), defaultJobOptions: jobCatalog[name].jobOptions });
}

/**
 * Replication a queue's adds must reach before they count as added: `WAIT
 * replicas timeoutMs` on the master holding the job's slot, over the same
 * connection the add went through (WAIT covers that connection's writes).
 */
export interface Durability {
  replicas: number;
  timeoutMs: number;
}

/** Fewer replicas than asked for confirmed an add in time: the job may be in Redis, but it is not acknowledged. */
export class ReplicationTimeoutError extends UnavailableError {
  constructor(
    readonly acknowledged: number,
    readonly wanted: number,
  ) {
    super(`the report queue's Redis replicas did not confirm the write in time (${acknowledged} of ${wanted}); retry with the same reportId`, 'replication_timeout');
  }
}

/** Jobs per transaction in CatalogQueue.addValid. */
export const ADD_VALID_CHUNK = 100;

/**
 * addValid stopped part-way: the jobs at `pending` (indices into its input)
 * are not confirmed added; those before them are. Its message is the
 * cause's, never a payload.
 */
export class PartialAddError extends UnavailableError {
  constructor(
    readonly pending: number[],
    readonly added: number,
    cause: unknown,
  ) {
    super(`the queue did not confirm ${pending.length} jobs: ${cause instanceof Error ? cause.message : 'unknown error'}`, cause instanceof UnavailableError ? cause.code : 'queue_unavailable');
  }
}

/**
 * A BullMQ queue whose `add` validates the payload against the catalog
 * first. The caller owns `connection` (BullMQ shares it and never closes
 * it): close it after the queue.
 */
export class CatalogQueue<N extends QueueName> {
  readonly queue: Queue;
  readonly definition: QueueDefinition<N>;

  constructor(
    name: N,
    private readonly connection: RedisClient,
    queuePrefix: string,
    private readonly durability: Durability = { replicas: 0, timeoutMs: 0 },
  ) {
    this.definition = jobCatalog[name] as QueueDefinition<N>;
    this.queue = catalogBullQueue(name, connection, queuePrefix);
  }

  /** Validates and adds; with a jobId, adding the same id twice keeps one job. Durable queues: see `Durability`. */
  async add(data: JobPayloads[N], opts: JobsOptions = {}): Promise<Job> {
    const payload = this.definition.validate(data);
    return this.replicated(() => this.queue.add(this.definition.name, payload, opts));
  }

  /**
   * Runs an add, then (durable queues) WAITs for the replicas on the node
   * that holds this queue's slot, and throws ReplicationTimeoutError when
   * fewer confirm. Every job of a queue shares its hash tag, so one WAIT
   * covers a bulk add too.
   */
  private async replicated<T>(add: () => Promise<T>): Promise<T> {
    if (this.durability.replicas <= 0) return add();
    // Any key with the queue's prefix hashes to the queue's slot (the prefix is its hash tag).
    const { result, acknowledged } = await writeThenWait(this.connection, this.queue.opts.prefix ?? '', add, this.durability);
    if (acknowledged < this.durability.replicas) throw new ReplicationTimeoutError(acknowledged, this.durability.replicas);
    return result;
  }

  /**
   * Adds the jobs whose payloads pass their schema and names the others: one
   * malformed payload never keeps its neighbours out of the queue. Valid
   * jobs go in transactions of at most ADD_VALID_CHUNK, one after another:
   * a request-path connection's command timeout covers one chunk, so a
   * bulk of hundreds of jobs on a busy Redis is not refused for its size,
   * while a hung Redis still fails on the first chunk. A queue outage
   * throws PartialAddError naming the jobs not confirmed added.
   */
  async addValid(jobs: readonly { data: JobPayloads[N]; opts?: JobsOptions }[]): Promise<{ added: number; invalid: { index: number; error: string }[] }> {
    const invalid: { index: number; error: string }[] = [];
    const valid: { index: number; job: { name: string; data: JobPayloads[N]; opts?: JobsOptions } }[] = [];
    jobs.forEach((j, index) => {
      try {
        valid.push({ index, job: { name: this.definition.name, data: this.definition.validate(j.data), ...(j.opts ? { opts: j.opts } : {}) } });
      } catch (err) {
        invalid.push({ index, error: (err as Error).message });
      }
    });
    for (let start = 0; start < valid.length; start += ADD_VALID_CHUNK) {
      const chunk = valid.slice(start, start + ADD_VALID_CHUNK);
      try {
        await this.replicated(() => this.queue.addBulk(chunk.map((v) => v.job)));
      } catch (err) {
        throw new PartialAddError(valid.slice(start).map((v) => v.index), start, err);
      }
    }
    return { added: valid.length, invalid };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/**
 * Wraps a processor so each job is validated when picked up. A payload that
 * fails its schema is not retried (it would fail the same way): it goes
 * straight to the failed set with the reason.
 */
export function catalogProcessor<N extends QueueName, R>(
  name: N,
  handler: (data: JobPayloads[N], job: Job) => Promise<R>,
): Processor {
  const { validate } = jobCatalog[name];
  return async (job: Job) => {
    let data: JobPayloads[N];
    try {
      data = validate(job.data) as JobPayloads[N];
    } catch (err) {
      throw new UnrecoverableError(`invalid payload: ${(err as Error).message}`);
    }
    return handler(data, job);
  };
}

export interface CatalogWorkerOptions {
  /** Built with workerQueueOptions (maxRetriesPerRequest null); the caller closes it after the worker. */
  connection: RedisClient;
  /** The queue prefix (TAKEDOWN_QUEUE_PREFIX); the worker's own prefix is derived from it (queuePrefixFor). */
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Lock and stall tuning; all workers of a queue should share it (see README). */
  tuning?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  /** Counts and times the jobs it finishes (the process's registry). */
  metrics?: JobMetrics;
}

/** The BullMQ options of a catalog worker: the queue's stall tolerance unless the caller's tuning names one. */
export function catalogWorkerOptions(name: QueueName, o: CatalogWorkerOptions): WorkerOptions {
  const stalls = jobCatalog[name].maxStalledCount;
  return {
    connection: o.connection,
    prefix: queuePrefixFor(o.prefix, name),
    concurrency: o.concurrency,
    ...(stalls !== undefined ? { maxStalledCount: stalls } : {}),
    ...o.tuning,
  };
}

/** A BullMQ worker on a catalog queue: payloads validated at pickup, failures logged. */
export function createCatalogWorker<N extends QueueName>(
  name: N,
  handler: (data: JobPayloads[N], job: Job) => Promise<unknown>,
  o: CatalogWorkerOptions,
): Worker {
  const worker = new Worker(name, catalogProcessor(name, handler), catalogWorkerOptions(name, o));
  worker.on('failed', (job, err) => {
    o.logger.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
  });
  worker.on('error', (err) => o.logger.error({ err, queue: name }, 'worker error'));
  if (o.metrics) observeJobs(worker, name, o.metrics);
  return worker;
}
