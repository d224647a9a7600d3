import { down } from '../../scripts/services.mjs';

export default async function globalTeardown() {
  // Servers that were already up before the run (services:up, .ci/run, a
  // developer's) are left alone; servers this run started are stopped,
  // unless TAKEDOWN_KEEP_SERVICES=1 asks to keep them for the next run.
  if (!globalThis.__takedownStarted || process.env.TAKEDOWN_KEEP_SERVICES === '1') return;
  const startedAt = globalThis.__takedownStartedAt ?? 0;
  await down(process.env, { startedAfter: startedAt });
}
