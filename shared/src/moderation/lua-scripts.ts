import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts in shared/lua, one per file, each with a header naming its
 * KEYS, ARGV and return values. Loaded once per process and run with
 * EVALSHA (falling back to EVAL, or to SCRIPT LOAD and EVALSHA of the calls
 * that failed, after a Redis restart flushed the cache: never running a
 * script twice).
 */
const SCRIPT_KEYS = {
  'fold-report': 0,
  'reap-leases': 0,
  claim: 0,
  heartbeat: 0,
  release: 0,
  decide: 0,
  appeal: 0,
  'record-action': 0,
  'append-audit': 1,
  'renew-lock': 1,
  'finish-backfill': 3,
  'publish-ruleset': 4,
  'init-draft': 2,
  'put-person': 2,
  'issue-token': 4,
  'revoke-token': 3,
  'open-admin-session': 3,
  'close-admin-session': 3,
  'move-case': 8,
  /** As many keys as the caller passes (-1). */
  'decision-heads': -1,
} as const;

export type ScriptName = keyof typeof SCRIPT_KEYS;

// src/moderation and dist/moderation are both two levels below shared/.
const LUA_DIR = path.join(__dirname, '..', '..', 'lua');

interface Loaded {
  source: string;
  sha: string;
  keys: number;
}

let cache: Map<ScriptName, Loaded> | undefined;

function scripts(): Map<ScriptName, Loaded> {
  if (cache) return cache;
  const loaded = new Map<ScriptName, Loaded>();
  for (const [name, keys] of Object.entries(SCRIPT_KEYS) as [ScriptName, number][]) {
    const source = fs.readFileSync(path.join(LUA_DIR, `${name}.lua`), 'utf8');
    loaded.set(name, { source, sha: createHash('sha1').update(source).digest('hex'), keys });
  }
  cache = loaded;
  return loaded;
}

const isNoScript = (err: unknown): boolean => err instanceof Error && err.message.startsWith('NOSCRIPT');

/** Runs a script by name. `keys` must have as many entries as its header declares. */
export async function runScript(redis: Redis, name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
  const script = scripts().get(name);
  if (!script) throw new Error(`unknown Lua script ${name}`);
  if (script.keys >= 0 && keys.length !== script.keys) throw new Error(`${name}.lua takes ${script.keys} keys, got ${keys.length}`);
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

/**
 * Runs several scripts in one round trip (a pipeline of EVALSHA), in order.
 * Resolves to each script's result; rejects with the first script error.
 *
 * No script ever runs twice. A pipeline is not atomic: after the cache was
 * emptied (a Redis restart, SCRIPT FLUSH) some calls may fail with NOSCRIPT
 * (they did not run) while others ran, because another process reloaded
 * their script meanwhile. Only the calls that failed with NOSCRIPT are run
 * again, in their order, after loading their scripts; the calls that ran
 * keep their result. (`claim` is not idempotent: a second run would lease a
 * second case.)
 */
export async function runScripts(redis: Redis, calls: { name: ScriptName; keys: string[]; args: (string | number)[] }[]): Promise<unknown[]> {
  const all = scripts();
  const loaded = calls.map((c) => {
    const s = all.get(c.name);
    if (!s || (s.keys >= 0 && c.keys.length !== s.keys)) throw new Error(`bad call to ${c.name}.lua`);
    return s;
  });
  const results: [Error | null, unknown][] = new Array(calls.length);
  let todo = calls.map((_, i) => i);
  // A flush between our SCRIPT LOAD and EVALSHA can repeat NOSCRIPT; a few rounds settle it.
  for (let round = 0; todo.length > 0; round++) {
    if (round > 0) {
      for (const name of new Set(todo.map((i) => (calls[i] as { name: ScriptName }).name))) await redis.script('LOAD', (all.get(name) as Loaded).source);
    }
    const pipe = redis.pipeline();
    for (const i of todo) {
      const c = calls[i] as { keys: string[]; args: (string | number)[] };
      pipe.evalsha((loaded[i] as Loaded).sha, c.keys.length, ...c.keys, ...c.args);
    }
    const res = (await pipe.exec()) ?? [];
    const missing: number[] = [];
    todo.forEach((i, k) => {
      const r = (res[k] ?? [new Error('no reply'), undefined]) as [Error | null, unknown];
      if (isNoScript(r[0]) && round < 3) missing.push(i);
      else results[i] = r;
    });
    todo = missing;
  }
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
