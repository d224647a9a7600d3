import fs from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../clients/redis';
import { pipelined, pipelinedSettled, type Routed } from './pipelined';

/**
 * The Lua scripts in shared/lua, one per file, named as BullMQ names its
 * scripts: `name-<number of keys>.lua` (`name-n.lua` when the caller passes
 * as many keys as it has, decision-heads only). Each header names its KEYS,
 * ARGV and return values. Every key a script touches comes in KEYS, built
 * by keys.ts or ruleset-store.ts, so a cluster client routes the call to
 * the node holding those keys (one hash tag per call).
 *
 * They are registered on each client with ioredis `defineCommand`, which
 * sends EVAL the first time on a connection and EVALSHA after, and resends
 * a call that failed with NOSCRIPT (it did not run), so a flushed script
 * cache never reaches callers and no script ever runs twice, in a pipeline
 * too.
 */
export const SCRIPT_NAMES = [
  'fold-report',
  'reap-lease',
  'claim',
  'heartbeat',
  'release',
  'decide',
  'appeal',
  'record-action',
  'append-audit',
  'renew-lock',
  'release-lock',
  'finish-backfill',
  'publish-ruleset',
  'init-draft',
  'put-person',
  'issue-token',
  'revoke-token',
  'open-admin-session',
  'close-admin-session',
  'move-case',
  'decision-heads',
  'authenticate',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

// src/moderation and dist/moderation are both two levels below shared/.
export const LUA_DIR = path.join(__dirname, '..', '..', 'lua');

/** `name-<n>.lua` (n keys) or `name-n.lua` (the caller passes the key count). */
export const SCRIPT_FILE = /^([a-z]+(?:-[a-z]+)*)-(\d+|n)\.lua$/;

export interface ScriptFile {
  name: string;
  file: string;
  /** Keys per call; undefined: as many as the caller passes. */
  keys: number | undefined;
  /** The script as sent to Redis: its includes in place. */
  source: string;
}

/**
 * Steps shared by several scripts live in shared/lua/includes and are pulled
 * in, as BullMQ does, by a line `--- @include "includes/name"` (one level).
 */
const INCLUDE = /^--- @include "(includes\/[A-Za-z0-9-]+)"$/gm;

function withIncludes(dir: string, source: string): string {
  return source.replace(INCLUDE, (_line, name: string) => fs.readFileSync(path.join(dir, `${name}.lua`), 'utf8').trimEnd());
}

/** Every script file in shared/lua, as its name says. Throws on a file not named by the convention. */
export function scriptFiles(dir = LUA_DIR): ScriptFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.lua') && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((file) => {
      const m = SCRIPT_FILE.exec(file);
      if (!m) throw new Error(`${file}: a Lua script is named name-<number of keys>.lua`);
      return { name: m[1] as string, file, keys: m[2] === 'n' ? undefined : Number(m[2]), source: withIncludes(dir, fs.readFileSync(path.join(dir, file), 'utf8')) };
    });
}

let table: Map<ScriptName, ScriptFile> | undefined;

function scripts(): Map<ScriptName, ScriptFile> {
  if (table) return table;
  const byName = new Map(scriptFiles().map((s) => [s.name, s]));
  const loaded = new Map<ScriptName, ScriptFile>();
  for (const name of SCRIPT_NAMES) {
    const s = byName.get(name);
    if (!s) throw new Error(`no Lua script for ${name} in ${LUA_DIR}`);
    loaded.set(name, s);
  }
  table = loaded;
  return loaded;
}

/** The ioredis command a script is registered as (a prefix keeps it clear of Redis's own commands). */
const commandOf = (name: ScriptName): string => `takedown:${name}`;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;
const defined = new WeakSet<RedisClient>();

function define(redis: RedisClient): void {
  if (defined.has(redis)) return;
  for (const [name, s] of scripts()) {
    redis.defineCommand(commandOf(name), s.keys === undefined ? { lua: s.source } : { numberOfKeys: s.keys, lua: s.source });
  }
  defined.add(redis);
}

function argsOf(name: ScriptName, keys: string[], args: (string | number)[]): (string | number)[] {
  const s = scripts().get(name) as ScriptFile;
  if (s.keys === undefined) return [keys.length, ...keys, ...args];
  if (keys.length !== s.keys) throw new Error(`${s.file} takes ${s.keys} keys, got ${keys.length}`);
  return [...keys, ...args];
}

/** Runs a script by name. `keys` must have as many entries as its file name says. */
export async function runScript(redis: RedisClient, name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
  define(redis);
  const command = (redis as unknown as Record<string, ScriptCommand>)[commandOf(name)] as ScriptCommand;
  return command.apply(redis, argsOf(name, keys, args));
}

export interface ScriptCall {
  name: ScriptName;
  keys: string[];
  args: (string | number)[];
}

/**
 * Runs several scripts in one round trip (a pipeline), in order. Resolves
 * to each script's result; rejects with the first script error.
 *
 * After the script cache was emptied (a Redis restart, SCRIPT FLUSH) a call
 * may fail with NOSCRIPT: it did not run, and ioredis resends it alone (as
 * EVAL), so only those calls run again and the others keep their result.
 * (`claim` is not idempotent: a second run would lease a second case.)
 */
export async function runScripts(redis: RedisClient, calls: ScriptCall[]): Promise<unknown[]> {
  if (calls.length === 0) return [];
  define(redis);
  // Routed by each call's keys (one hash tag per call): one pipeline, or one per tag on Redis Cluster.
  return pipelined(redis, calls.map(routedCall));
}

/** As runScripts, but every call's result as [error, value]: one failed script does not fail the others. */
export async function runScriptsSettled(redis: RedisClient, calls: readonly ScriptCall[]): Promise<[Error | null, unknown][]> {
  if (calls.length === 0) return [];
  define(redis);
  return pipelinedSettled(redis, calls.map(routedCall));
}

function routedCall(c: ScriptCall): Routed {
  return {
    key: c.keys[0] ?? '',
    add: (p) => {
      const command = (p as unknown as Record<string, ScriptCommand>)[commandOf(c.name)] as ScriptCommand;
      command.apply(p, argsOf(c.name, c.keys, c.args));
    },
  };
}
