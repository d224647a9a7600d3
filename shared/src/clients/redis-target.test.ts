import { ConfigError } from '../errors/takedown-error';
import { apiEnvVars, ingestEnvVars, searchEnvVars } from '../config/env-spec';
import { loadConfig, type CoreConfig, type IntakeConfig } from '../config/load-config';
import { redisTarget } from './redis';

const target = (env: Record<string, string>) => redisTarget(loadConfig<CoreConfig>(env).redis);

/** The ConfigError loadConfig throws for `env`, or undefined. */
function configError(env: Record<string, string>): ConfigError | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

describe('Redis target from config', () => {
  it('is one node by default and for redis:// and rediss:// URLs', () => {
    expect(target({})).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(target({ REDIS_URL: 'rediss://:pw@redis.internal:6380/0' })).toEqual({ mode: 'single', url: 'rediss://:pw@redis.internal:6380/0' });
  });

  it('is a cluster for a redis+cluster:// URL, with its credentials and TLS', () => {
    expect(target({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001' })).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      tls: false,
    });
    expect(target({ REDIS_URL: 'rediss+cluster://app:s%40cret@redis-a.internal:6379,[::1]:7002/' })).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'redis-a.internal', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      username: 'app',
      password: 's@cret',
      tls: true,
    });
  });

  it('takes REDIS_CLUSTER_NODES over REDIS_URL, which then lends only its credentials and TLS', () => {
    expect(target({ REDIS_CLUSTER_NODES: '127.0.0.1:7400, 127.0.0.1:7401', REDIS_URL: 'rediss://:pw@ignored.host:6379' })).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7400 },
        { host: '127.0.0.1', port: 7401 },
      ],
      password: 'pw',
      tls: true,
    });
    // The default REDIS_URL lends nothing.
    expect(target({ REDIS_CLUSTER_NODES: '127.0.0.1:7400' })).toEqual({ mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 7400 }], tls: false });
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: '127.0.0.1' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7400,redis://x:1' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:99999' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7400', REDIS_URL: 'redis+cluster://127.0.0.1:7401' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_URL: 'redis+cluster://' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis+cluster://:secretpw@a:1,b' }, 'REDIS_URL'],
    [{ REDIS_URL: 'memcached://a:1' }, 'REDIS_URL'],
  ])('refuses %j at boot, naming %s and never echoing a password', (env, name) => {
    const err = configError(env);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.field).toBe(name);
    expect(err?.message).toContain(name);
    expect(err?.message).not.toContain('secretpw');
  });

  it('reads the intake WAIT settings in the API and ingest (off by default), not in search', () => {
    expect(loadConfig<IntakeConfig>({}, apiEnvVars).intake).toEqual({ waitReplicas: 0, waitTimeoutMs: 250 });
    expect(loadConfig<IntakeConfig>({ TAKEDOWN_INTAKE_WAIT_REPLICAS: '1', TAKEDOWN_INTAKE_WAIT_TIMEOUT_MS: '1000' }, ingestEnvVars).intake).toEqual({ waitReplicas: 1, waitTimeoutMs: 1000 });
    expect(searchEnvVars.some((s) => s.name === 'TAKEDOWN_INTAKE_WAIT_REPLICAS')).toBe(false);
    expect(() => loadConfig({ TAKEDOWN_INTAKE_WAIT_REPLICAS: '-1' }, apiEnvVars)).toThrow(/TAKEDOWN_INTAKE_WAIT_REPLICAS/);
  });
});
