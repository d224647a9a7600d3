import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The composition root in a child process (runProcess exits it), using the built package.
const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');

function runChild(body: string, signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!fs.existsSync(DIST)) throw new Error(`shared is not built (${DIST} is missing): run \`npx tsc -b\` first`);
  const source = `const { runProcess } = require(${JSON.stringify(DIST)});\n${body}`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-process-')), 'root.js');
  fs.writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Started: the signal goes in once the root says it is serving.
      if (signal && !signalled && stdout.includes('started')) signalled = child.kill(signal);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      if (sig) stderr += `killed by ${sig}`;
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

describe('runProcess', () => {
  it('a restart asked for stops the process once, says why, and exits 70 for the supervisor', async () => {
    const r = await runChild(`
      runProcess('demo', async (control) => {
        setTimeout(() => { control.restart('the engine aborted'); control.restart('twice'); }, 10);
        setInterval(() => {}, 1000);
        return { stop: async () => { process.stdout.write('stopped\\n'); } };
      });`);
    expect(r).toEqual({ code: 70, stdout: 'stopped\n', stderr: 'demo is restarting: the engine aborted\n' });
  });

  it('SIGTERM stops it once and exits 0', async () => {
    const r = await runChild(
      `
      runProcess('demo', async () => {
        setInterval(() => {}, 1000);
        // After runProcess has seen the start resolve (a microtask) and listens for signals.
        setImmediate(() => process.stdout.write('started\\n'));
        return { stop: async () => { process.stdout.write('stopped\\n'); } };
      });`,
      'SIGTERM',
    );
    expect(r).toEqual({ code: 0, stdout: 'started\nstopped\n', stderr: '' });
  });

  it('a failed start prints its message and exits 1', async () => {
    const r = await runChild(`runProcess('demo', async () => { throw new Error('TAKEDOWN_X is not a number'); });`);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'demo failed to start: TAKEDOWN_X is not a number\n' });
  });
});
