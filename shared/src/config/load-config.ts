import type { Schema } from 'ajv';
import { ConfigError } from '../errors/takedown-error';
import { ajv, fieldOf } from '../validation/validator';
import { redisTarget } from '../clients/redis';
import { coreEnvVars, type EnvVarSpec } from './env-spec';

export interface CoreConfig {
  env: 'development' | 'test' | 'production';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** REDIS_URL and REDIS_CLUSTER_NODES; redisTarget() says which Redis they name. */
  redis: { url: string; clusterNodes: readonly string[] };
  elasticsearch: {
    url: string;
    apiKey?: string;
    username?: string;
    password?: string;
    requestTimeoutMs: number;
    replicas: number;
  };
  indexPrefix: string;
  contentIndex: string;
  queuePrefix: string;
  /** Case store shards: see moderationKeys. */
  caseShards: number;
}

/** The durable-acknowledgement settings of the processes that add reports (intakeEnvVars). */
export interface IntakeConfig {
  intake: { waitReplicas: number; waitTimeoutMs: number };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the variables in `specs` from `env` (the composition root passes
 * process.env), applies defaults, converts types and validates the result
 * with Ajv. Throws a ConfigError naming the variable; secret values are
 * never put into the message.
 */
export function loadConfig<T = CoreConfig>(env: Env, specs: readonly EnvVarSpec[] = coreEnvVars): Readonly<T> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const raw = env[spec.name];
    const value = raw === undefined || raw === '' ? spec.default : convert(spec, raw);
    if (value !== undefined) setPath(out, spec.key, value);
  }
  const validate = ajv().compile(schemaFor(specs));
  if (!validate(out)) {
    const error = validate.errors?.[0];
    const key = fieldOf(error).replace(/^\//, '').replace(/\//g, '.');
    const spec = specs.find((s) => s.key === key || key.startsWith(`${s.key}.`) || key.startsWith(`${s.key}/`));
    const name = spec?.name ?? key;
    throw new ConfigError(`${name} ${error?.message ?? 'is invalid'}`, name);
  }
  // What a schema cannot say: a redis+cluster:// URL's host list, and REDIS_URL against REDIS_CLUSTER_NODES.
  const redis = out['redis'] as { url?: unknown; clusterNodes?: unknown } | undefined;
  if (redis && typeof redis.url === 'string') redisTarget({ url: redis.url, clusterNodes: Array.isArray(redis.clusterNodes) ? (redis.clusterNodes as string[]) : [] });
  return deepFreeze(out) as Readonly<T>;
}

function convert(spec: EnvVarSpec, raw: string): unknown {
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${spec.name} must be an integer`, spec.name);
      return Number.parseInt(raw, 10);
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${spec.name} must be true or false`, spec.name);
    }
    case 'urlList': {
      const items = raw.split(',').map((s) => s.trim());
      items.forEach((item, i) => {
        let ok = false;
        try {
          const u = new URL(item);
          ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
        } catch {}
        // The position, never the value: the URL may carry credentials.
        if (!ok) throw new ConfigError(`${spec.name} item ${i + 1} of ${items.length} is not an http(s) URL`, spec.name);
      });
      return items.join(',');
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    default:
      return raw.trim();
  }
}

/** Builds the Ajv schema for a spec list: nested objects along the dot paths. */
export function schemaFor(specs: readonly EnvVarSpec[]): Schema {
  const root: ObjectSchema = { type: 'object', properties: {}, required: [], additionalProperties: false };
  for (const spec of specs) {
    const parts = spec.key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let child = node.properties[part] as ObjectSchema | undefined;
      if (!child) {
        child = { type: 'object', properties: {}, required: [], additionalProperties: false };
        node.properties[part] = child;
        node.required.push(part);
      }
      node = child;
    }
    const leaf = parts[parts.length - 1] as string;
    node.properties[leaf] = leafSchema(spec);
    if (spec.default !== undefined) node.required.push(leaf);
  }
  return root;
}

interface ObjectSchema {
  type: 'object';
  properties: Record<string, unknown>;
  required: string[];
  additionalProperties: false;
}

function leafSchema(spec: EnvVarSpec): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  switch (spec.type) {
    case 'integer':
      s['type'] = 'integer';
      break;
    case 'boolean':
      s['type'] = 'boolean';
      break;
    case 'list':
      s['type'] = 'array';
      // A list's enum and pattern are each item's.
      s['items'] = { type: 'string', ...(spec.pattern ? { pattern: spec.pattern } : {}), ...(spec.enum ? { enum: spec.enum } : {}) };
      break;
    case 'url':
      s['type'] = 'string';
      s['format'] = 'uri';
      break;
    case 'urlList':
      // Each item was parsed in convert(); a default is a single URL.
      s['type'] = 'string';
      s['minLength'] = 1;
      break;
    default:
      s['type'] = 'string';
      s['minLength'] = 1;
  }
  if (spec.enum && spec.type !== 'list') s['enum'] = spec.enum;
  if (spec.minimum !== undefined) s['minimum'] = spec.minimum;
  if (spec.maximum !== undefined) s['maximum'] = spec.maximum;
  if (spec.pattern && spec.type !== 'list') s['pattern'] = spec.pattern;
  return s;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = (node[part] as Record<string, unknown> | undefined) ?? {};
    node[part] = next;
    node = next;
  }
  node[parts[parts.length - 1] as string] = Array.isArray(value) ? [...value] : value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
