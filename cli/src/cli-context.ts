import type { TokenStore } from '@takedown/shared';
import type { ApiClient } from './api-client';
import type { HiddenCheckResult } from './demo-check';

/** Where a command writes. The process's streams in main.ts; strings in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (a progress line redraws in place). */
  stderrIsTTY: boolean;
}

export interface DemoCheckReport extends HiddenCheckResult {
  contentIndex: string;
  searchUrl: string;
}

/**
 * What the commands need, built once by the composition root (main.ts),
 * which alone reads the environment. Stores and clients open on first use,
 * so `takedown legal verify` needs no Redis and `takedown --help` nothing.
 */
export interface CliContext {
  io: CliIo;
  version: string;
  /** Who the audit trail names for changes made here. */
  actor: string;
  /** Tokens and people, straight in Redis. */
  tokenStore(): Promise<TokenStore>;
  /** The moderation API as the lead whose token is in TAKEDOWN_TOKEN; a UsageError when there is none. */
  api(): ApiClient;
  /** `takedown demo check` against the configured stores and search service. */
  demoCheck(): Promise<DemoCheckReport>;
  /** The public key `legal verify` uses when none is given: this checkout's development key. */
  devPublicKeyFile: string;
  /** Waits between polls of a running backfill; tests pass one that does not wait. */
  sleep(ms: number): Promise<void>;
}
