import { createRedis } from '../clients/redis';
import { catalogWorkerOptions, jobCatalog, queuePrefixFor, QUEUE_NAMES } from './job-catalog';

describe('job catalog', () => {
  it('defines every queue of the design with retries and keeps failed jobs', () => {
    expect(QUEUE_NAMES.sort()).toEqual(['actions', 'backfill', 'legal-notice', 'legal-package', 'legal-preserve', 'reports']);
    for (const name of QUEUE_NAMES) {
      const def = jobCatalog[name];
      expect(def.jobOptions.attempts).toBeGreaterThanOrEqual(1);
      expect(def.jobOptions.removeOnFail).toBe(false);
      expect(def.description.length).toBeGreaterThan(10);
    }
  });

  it('workers of reports and actions rerun a job whose worker died holding it more than once (fault scenario R1)', () => {
    const o = { connection: createRedis('redis://127.0.0.1:1', { connectionName: 'unit', lazyConnect: true }), prefix: '{t}', concurrency: 1, logger: undefined as never };
    // BullMQ's default (1) fails a job stalled twice without running it: two SIGKILLs of its worker.
    expect(catalogWorkerOptions('reports', o).maxStalledCount).toBeGreaterThanOrEqual(5);
    expect(catalogWorkerOptions('actions', o).maxStalledCount).toBeGreaterThanOrEqual(5);
    // Bounded: a job that crashes its worker every time ends in the failed set.
    expect(Number.isFinite(catalogWorkerOptions('actions', o).maxStalledCount)).toBe(true);
    // A caller's tuning still wins, and other queues keep BullMQ's default.
    expect(catalogWorkerOptions('actions', { ...o, tuning: { maxStalledCount: 2 } }).maxStalledCount).toBe(2);
    expect(catalogWorkerOptions('backfill', o).maxStalledCount).toBeUndefined();
    o.connection.disconnect();
  });

  it('legal jobs carry the request id only', () => {
    expect(jobCatalog['legal-package'].validate({ requestId: 'lr-20261130-0a1b2c3d' })).toEqual({ requestId: 'lr-20261130-0a1b2c3d' });
    expect(() => jobCatalog['legal-package'].validate({ requestId: 'lr-1', targets: ['+4915112345678'] })).toThrow(/\/targets/);
    expect(() => jobCatalog['legal-notice'].validate({ requestId: 'LR:1' })).toThrow(/\/requestId/);
  });

  it('validates report payloads, naming the field', () => {
    const ok = {
      reportId: 'r-1',
      receivedAt: '2026-11-29T10:00:00.000Z',
      content: { id: 'post-1', type: 'post', authorId: 'u1', mediaSha256: ['a'.repeat(64)] },
      reporter: { type: 'trusted_flagger' },
      reason: 'csam',
    };
    expect(jobCatalog.reports.validate(ok).reason).toBe('csam');
    expect(() => jobCatalog.reports.validate({ ...ok, content: { ...ok.content, mediaSha256: ['xyz'] } })).toThrow(
      /\/content\/mediaSha256\/0/,
    );
    expect(() => jobCatalog.reports.validate({ ...ok, reporter: { type: 'god' } })).toThrow(/\/reporter\/type/);
    expect(() => jobCatalog.reports.validate({ ...ok, receivedAt: 'yesterday' })).toThrow(/\/receivedAt/);
  });

  it('validates action payloads', () => {
    const ok = {
      decisionId: 'd-1',
      caseId: 'c-1',
      contentId: 'post-1',
      action: 'restrict',
      category: 'drugs',
      legalGround: 'national law X',
      countries: ['DE', 'FR'],
      decidedBy: 'mod-1',
      decidedAt: '2026-11-29T10:00:00.000Z',
    };
    expect(jobCatalog.actions.validate(ok).countries).toEqual(['DE', 'FR']);
    expect(() => jobCatalog.actions.validate({ ...ok, countries: ['germany'] })).toThrow(/\/countries\/0/);
  });

  it('gives each queue its own hash tag derived from the queue prefix, so queues land on different cluster slots', () => {
    expect(queuePrefixFor('{takedown}', 'reports')).toBe('{takedown:reports}');
    expect(queuePrefixFor('{takedown}', 'actions')).toBe('{takedown:actions}');
    const tags = new Set(QUEUE_NAMES.map((n) => queuePrefixFor('{t}', n)));
    expect(tags.size).toBe(QUEUE_NAMES.length);
    expect(() => queuePrefixFor('takedown', 'reports')).toThrow(RangeError);
  });
});
