// Preloaded (`node -r`) into a service a benchmark runs as its own process:
// answers the parent's 'cpu' message over the IPC channel with this
// process's own process.cpuUsage() (µs, user + system). No port, no route:
// the service under test is unchanged.
if (typeof process.send === 'function') {
  process.on('message', (m: unknown) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  // The IPC channel must not keep the service alive once it is told to stop.
  process.channel?.unref();
}
