// Preloaded (`node -r`) into a service a bench starts as its own process,
// so CPU per request is measured in the service, not the load generator.
// Over the IPC channel it answers:
//   "cpu"                          -> { cpu: process.cpuUsage() } (every thread)
//   { profile: 'start' }           -> starts the V8 CPU profiler (main thread)
//   { profile: 'stop', file }      -> writes the profile since 'start' to file
// (each answered with { done: true } once done). The bench profiles one
// phase at a time this way, without the start-up that --cpu-prof would
// mix in. Loaded only by benches, never in production.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

let session: Session | undefined;

function post(method: string): Promise<unknown> {
  return new Promise((resolve, reject) => (session as Session).post(method, (err, res) => (err ? reject(err) : resolve(res))));
}

process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    process.send?.({ cpu: process.cpuUsage() });
    return;
  }
  const msg = m as { profile?: 'start' | 'stop'; file?: string };
  if (msg.profile === 'start') {
    session ??= new Session();
    session.connect();
    void post('Profiler.enable')
      .then(() => post('Profiler.start'))
      .then(() => process.send?.({ done: true }));
  } else if (msg.profile === 'stop' && msg.file) {
    void post('Profiler.stop').then((res) => {
      writeFileSync(msg.file as string, JSON.stringify((res as { profile: unknown }).profile));
      (session as Session).disconnect();
      process.send?.({ done: true });
    });
  }
});
// The channel must not keep a stopping service alive.
(process.channel as { unref?: () => void } | undefined)?.unref?.();
