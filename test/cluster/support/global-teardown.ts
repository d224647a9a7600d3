import { clusterServices } from './cluster-services';

export default async function globalTeardown(): Promise<void> {
  // TAKEDOWN_KEEP_SERVICES=1 leaves them up for a look after a run, as the integration suite does.
  if (process.env.TAKEDOWN_KEEP_SERVICES === '1') return;
  await clusterServices().stop();
}
