import type { Job, Worker } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Upper bounds (seconds) of job durations: a triage job takes milliseconds, a backfill minutes. */
const JOB_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

/** Jobs a worker process finished, by queue and outcome, and how long each ran. */
export interface JobMetrics {
  jobs: Counter<'queue' | 'outcome'>;
  duration: Histogram<'queue' | 'outcome'>;
}

export function createJobMetrics(registry: Registry): JobMetrics {
  return {
    jobs: new Counter({
      name: 'takedown_worker_jobs_total',
      help: 'Jobs this process finished, by queue and outcome (completed, failed: a failed job may be retried).',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'takedown_worker_job_duration_seconds',
      help: 'Time one job ran in this process (from pickup to completion or failure), by queue and outcome.',
      labelNames: ['queue', 'outcome'],
      buckets: JOB_SECONDS,
      registers: [registry],
    }),
  };
}

/** Counts and times the jobs `worker` finishes, from BullMQ's own events (no per-job label). */
export function observeJobs(worker: Worker, queue: string, m: JobMetrics): void {
  const seen = (outcome: 'completed' | 'failed', job: Job | undefined) => {
    m.jobs.inc({ queue, outcome });
    if (job?.processedOn !== undefined && job.finishedOn !== undefined) m.duration.observe({ queue, outcome }, Math.max(0, job.finishedOn - job.processedOn) / 1000);
  };
  worker.on('completed', (job) => seen('completed', job));
  worker.on('failed', (job) => seen('failed', job));
}
