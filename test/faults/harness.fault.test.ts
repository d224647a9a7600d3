// The harness itself: the suite's own servers come up, die and come back with their data.
import { Redis } from 'ioredis';
import { report, startFaultServices, type FaultServices } from './support/fault-services';

let svc: FaultServices;
beforeAll(async () => {
  svc = await startFaultServices('harness', { appendfsync: 'always' });
}, 300_000);
afterAll(async () => {
  await svc?.stop();
});

test('Redis killed with SIGKILL comes back from its AOF', async () => {
  const r = new Redis(svc.redisUrl, { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
  await r.connect();
  await r.set('harness:k', 'v');
  r.disconnect();
  const before = svc.pid('redis');
  svc.signal('redis', 'SIGKILL');
  await svc.restart();
  expect(svc.pid('redis')).not.toBe(before);
  const r2 = new Redis(svc.redisUrl, { maxRetriesPerRequest: 0 });
  expect(await r2.get('harness:k')).toBe('v');
  r2.disconnect();
  const es = await fetch(`${svc.elasticsearchUrl}/_cluster/health`);
  expect(es.status).toBe(200);
  report('harness', { redisRestarted: true });
});
