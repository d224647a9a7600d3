import { ConfigError } from '../errors/takedown-error';
import { apiEnvVars, coreEnvVars, type EnvVarSpec } from './env-spec';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.elasticsearch.url).toBe('http://127.0.0.1:9200');
    expect(c.elasticsearch.requestTimeoutMs).toBe(30000);
    expect(c.queuePrefix).toBe('{takedown}');
    expect(c.elasticsearch.apiKey).toBeUndefined();
  });

  it('reads and converts values', () => {
    const c = loadConfig({
      REDIS_URL: 'redis://:pw@redis.internal:6379/2',
      ELASTICSEARCH_REQUEST_TIMEOUT_MS: '5000',
      TAKEDOWN_ES_REPLICAS: '1',
      LOG_LEVEL: 'warn',
    });
    expect(c.redis.url).toBe('redis://:pw@redis.internal:6379/2');
    expect(c.elasticsearch.requestTimeoutMs).toBe(5000);
    expect(c.elasticsearch.replicas).toBe(1);
    expect(c.logLevel).toBe('warn');
  });

  it('takes several Elasticsearch nodes, comma-separated', () => {
    const c = loadConfig({ ELASTICSEARCH_URL: 'http://127.0.0.1:9200, http://127.0.0.1:9201,http://127.0.0.1:9202' });
    expect(c.elasticsearch.url).toBe('http://127.0.0.1:9200,http://127.0.0.1:9201,http://127.0.0.1:9202');
  });

  it.each(['http://a:9200,', 'http://a:9200,ftp://b', 'http://a:9200,,http://b:9200', 'http://u:hunter2@a:9200,nope'])(
    'names ELASTICSEARCH_URL (and no credentials) for the node list %s',
    (value) => {
      let err: unknown;
      try {
        loadConfig({ ELASTICSEARCH_URL: value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe('ELASTICSEARCH_URL');
      expect((err as ConfigError).message).toContain('ELASTICSEARCH_URL');
      expect((err as ConfigError).message).not.toContain('hunter2');
    },
  );

  it('returns a frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.elasticsearch)).toBe(true);
  });

  it.each([
    ['ELASTICSEARCH_REQUEST_TIMEOUT_MS', 'soon'],
    ['ELASTICSEARCH_REQUEST_TIMEOUT_MS', '5'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://not-redis'],
    ['TAKEDOWN_QUEUE_PREFIX', 'no-hash-tag'],
    ['TAKEDOWN_INDEX_PREFIX', 'Upper'],
  ])('names the variable when %s=%s is invalid', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe(name);
    expect((err as ConfigError).message).toContain(name);
  });

  it('never puts a secret value into the error', () => {
    const secret = 'rediss-but-not://hunter2@host';
    try {
      loadConfig({ REDIS_URL: secret });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('supports service-specific spec lists with integers, booleans and lists', () => {
    const specs: EnvVarSpec[] = [
      ...coreEnvVars,
      { name: 'PORT', key: 'http.port', type: 'integer', default: 8080, minimum: 1, maximum: 65535, description: 'p' },
      { name: 'DEMO', key: 'demo', type: 'boolean', default: false, description: 'd' },
      { name: 'IDX', key: 'indices', type: 'list', default: ['a'], pattern: '^[a-z]+$', description: 'i' },
    ];
    const c = loadConfig<{ http: { port: number }; demo: boolean; indices: string[] }>(
      { PORT: '9000', DEMO: 'yes', IDX: 'posts, comments' },
      specs,
    );
    expect(c.http.port).toBe(9000);
    expect(c.demo).toBe(true);
    expect(c.indices).toEqual(['posts', 'comments']);
    expect(() => loadConfig({ IDX: 'OK,bad!' }, specs)).toThrow(/IDX/);
    expect(() => loadConfig({ DEMO: 'maybe' }, specs)).toThrow(/DEMO/);
  });

  it('checks each item of a list against its enum (the legal desk’s jurisdictions)', () => {
    const c = loadConfig<{ legal: { jurisdictions: string[]; nonJudicialOutcome: string } }>({ TAKEDOWN_LEGAL_JURISDICTIONS: 'DE, FR' }, apiEnvVars);
    expect(c.legal).toMatchObject({ jurisdictions: ['DE', 'FR'], nonJudicialOutcome: 'needs_info' });
    expect(loadConfig<{ legal: { jurisdictions: string[] } }>({}, apiEnvVars).legal.jurisdictions).toEqual([]);
    expect(() => loadConfig({ TAKEDOWN_LEGAL_JURISDICTIONS: 'DE,ZZ' }, apiEnvVars)).toThrow(/TAKEDOWN_LEGAL_JURISDICTIONS/);
    expect(() => loadConfig({ TAKEDOWN_LEGAL_NON_JUDICIAL_OUTCOME: 'approve' }, apiEnvVars)).toThrow(/TAKEDOWN_LEGAL_NON_JUDICIAL_OUTCOME/);
  });

  it('declares every variable once with a description', () => {
    const names = coreEnvVars.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of coreEnvVars) expect(s.description.length).toBeGreaterThan(5);
  });
});
