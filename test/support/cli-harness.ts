import type { TokenStore } from '@takedown/shared';
import type { ApiClient, ApiResponse } from '../../cli/src/api-client';
import type { CliContext } from '../../cli/src/cli-context';
import { UsageError } from '../../cli/src/exit-codes';
import { runCli } from '../../cli/src/program';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An API that answers each request with the first handler matching "METHOD /path", recording every call. */
export function fakeApi(routes: Record<string, (body: unknown) => Partial<ApiResponse> & { status: number }>): ApiClient & { calls: { method: string; path: string; body: unknown }[] } {
  const calls: { method: string; path: string; body: unknown }[] = [];
  return {
    calls,
    async call(method, path, body) {
      calls.push({ method, path, body });
      const route = routes[`${method} ${path}`];
      if (!route) return { status: 404, body: { error: { code: 'not_found', message: 'no such endpoint' } }, text: '' };
      const r = route(body);
      return { body: r.body, text: r.text ?? (r.body === undefined ? '' : JSON.stringify(r.body)), status: r.status };
    },
  };
}

/**
 * Runs `takedown <argv>` in this process, the commander program and all,
 * with what it writes captured. Dependencies not given throw if a command
 * reaches for them, so a test says exactly what its command may touch.
 */
export async function runTakedown(argv: string[], deps: Partial<Omit<CliContext, 'io'>> & { stderrIsTTY?: boolean } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const missing = (what: string) => () => {
    throw new Error(`this test gave the CLI no ${what}`);
  };
  const ctx: CliContext = {
    io: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: deps.stderrIsTTY ?? false },
    version: deps.version ?? '9.9.9-test',
    actor: deps.actor ?? 'cli:test',
    tokenStore: deps.tokenStore ?? (missing('token store') as () => Promise<TokenStore>),
    // As main.ts: no TAKEDOWN_TOKEN is a usage error.
    api:
      deps.api ??
      (() => {
        throw new UsageError('set TAKEDOWN_TOKEN to a lead token', 'TAKEDOWN_TOKEN');
      }),
    demoCheck: deps.demoCheck ?? (missing('demo check') as CliContext['demoCheck']),
    devPublicKeyFile: deps.devPublicKeyFile ?? '/nonexistent/signing-key.pub.pem',
    sleep: deps.sleep ?? (async () => undefined),
  };
  const code = await runCli(argv, ctx);
  return { code, stdout, stderr };
}
