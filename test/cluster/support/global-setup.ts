import { startClusterServices } from './cluster-services';

/** Once per `npm run test:cluster`: the clusters every test file shares (tests run in band). */
export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const svc = await startClusterServices();
  process.stderr.write(
    `[cluster] Redis Cluster ${svc.redisClusterNodes}; Elasticsearch ${svc.elasticsearchUrl}; standalone Redis ${svc.standaloneRedisUrl} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
}
