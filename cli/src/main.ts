// `npx takedown <command>`. Machine-readable results go to stdout (a new
// token alone, so `TOKEN=$(npx takedown token create ...)` works); messages
// go to stderr. Composition root: config read once here.
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEV_KEY_FILES,
  ROLES,
  STANDINGS,
  LegalStore,
  PeopleStore,
  TokenStore,
  coreEnvVars,
  takedownIndexNames,
  createElasticsearch,
  createRedisClient,
  redisTarget,
  isTakedownError,
  loadConfig,
  migrateLegacyTokens,
  openModerationKeys,
  type Role,
  type Standing,
} from '@takedown/shared';
import { checkHidden } from './demo-check';
import { LEGAL_USAGE, legalCommand } from './legal-commands';
import { PEOPLE_USAGE, personCommand } from './people-commands';
import { resolveEnv } from './resolve-env';
import { RULES_USAGE, apiClient, rulesCommand } from './rules-commands';

const USAGE = `usage:
  takedown token create --role <${ROLES.join('|')}> --name <name> [--csam] [--standing <${STANDINGS.join('|')}>] [--agency <agency id>] [--emergency]
                             a new person holding this one role, and their first token
  takedown token revoke <token id or name>
  takedown token list
${PEOPLE_USAGE}  takedown demo check        no post the live rules hide comes back from the search service (TAKEDOWN_SEARCH_URL)
${RULES_USAGE}${LEGAL_USAGE}`;

const ROOT = path.resolve(__dirname, '..', '..');

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'rules') {
    const token = process.env['TAKEDOWN_TOKEN'];
    if (!token) {
      process.stderr.write('takedown: set TAKEDOWN_TOKEN to a lead token (npx takedown token create --role lead --name you)\n');
      return 2;
    }
    return rulesCommand(apiClient(process.env['TAKEDOWN_API_URL'] ?? 'http://127.0.0.1:8080', token), argv.slice(1));
  }
  if (group === 'demo' && command === 'check') return demoCheck();
  if (group === 'legal') {
    // Default key: the development public key `npm start` made for this checkout.
    const dataDir = path.resolve(ROOT, process.env['TAKEDOWN_DATA_DIR'] || '.data');
    return legalCommand(argv.slice(1), path.join(dataDir, 'legal-keys', DEV_KEY_FILES.publicKey));
  }
  if ((group !== 'token' && group !== 'person') || !command) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(resolveEnv(process.env, ROOT), coreEnvVars);
  const redis = createRedisClient(redisTarget(config.redis), { connectionName: 'takedown-cli', maxRetriesPerRequest: 2 });
  const keys = await openModerationKeys(redis, config);
  // An agency person's grant must name an agency registered on the legal desk (its registry is in Elasticsearch, read only when asked).
  let es: ReturnType<typeof createElasticsearch> | undefined;
  const agencyExists = async (id: string) => {
    es ??= createElasticsearch(config.elasticsearch);
    return (await new LegalStore(es, takedownIndexNames(config.indexPrefix)).getAgency(id)) !== undefined;
  };
  const tokens = new TokenStore(redis, keys, new PeopleStore(redis, keys, { agencyExists }));
  const actor = `cli:${process.env['USER'] ?? 'unknown'}`;
  try {
    await migrateLegacyTokens(redis, keys, tokens);
    if (group === 'person') return await personCommand(tokens, actor, command, rest);
    if (command === 'create') {
      const { values } = parseArgs({ args: rest, options: { role: { type: 'string' }, name: { type: 'string' }, person: { type: 'string' }, csam: { type: 'boolean' }, standing: { type: 'string' }, agency: { type: 'string' }, emergency: { type: 'boolean' } } });
      const role = values.role as Role | undefined;
      if (!role || !(ROLES as readonly string[]).includes(role) || !values.name || !/^[A-Za-z0-9._@-]{1,80}$/.test(values.name)) {
        process.stderr.write(`takedown: --role (one of ${ROLES.join(', ')}) and --name (letters, digits, . _ @ -) are required\n${USAGE}`);
        return 2;
      }
      const standing = values.standing as Standing | undefined;
      if (standing !== undefined && (role !== 'reporter' || !(STANDINGS as readonly string[]).includes(standing))) {
        process.stderr.write(`takedown: --standing (one of ${STANDINGS.join(', ')}) is for reporter tokens only\n`);
        return 2;
      }
      if (values.person !== undefined && (values.csam || standing || values.agency || values.emergency)) {
        process.stderr.write(`takedown: --csam, --standing, --agency and --emergency belong to the person: takedown person update ${values.person} --csam on\n`);
        return 2;
      }
      if ((role === 'agency') !== Boolean(values.agency) && values.person === undefined) {
        process.stderr.write('takedown: --agency <registered agency id> goes with --role agency, and only with it\n');
        return 2;
      }
      if (values.emergency && role !== 'legal') {
        process.stderr.write('takedown: --emergency is for legal tokens only\n');
        return 2;
      }
      const grants = { ...(values.csam ? { csam: true } : {}), ...(standing ? { standing } : {}), ...(values.agency ? { agency: values.agency } : {}), ...(values.emergency ? { emergency: true } : {}) };
      const { token, record, person } = await tokens.create({ role, name: values.name, createdBy: actor, ...(values.person !== undefined ? { actorId: values.person } : { grants }) });
      process.stdout.write(`${token}\n`);
      process.stderr.write(`created token ${record.id} (${record.role}, ${record.name}) for ${person.id}${person.grants.csam ? ', csam' : ''}${person.grants.standing ? `, ${person.grants.standing}` : ''}; it is shown only this once\n`);
      return 0;
    }
    if (command === 'revoke') {
      const target = rest[0];
      if (!target) {
        process.stderr.write(USAGE);
        return 2;
      }
      const record = await tokens.revoke(target, actor);
      process.stderr.write(`revoked token ${record.id} (${record.role}, ${record.name})\n`);
      return 0;
    }
    if (command === 'list') {
      process.stdout.write(`${JSON.stringify(await tokens.list(), null, 2)}\n`);
      return 0;
    }
    process.stderr.write(USAGE);
    return 2;
  } finally {
    redis.disconnect();
    await es?.close();
  }
}

/** `takedown demo check`: exit 1 when a post the live rules hide comes back from a search. */
async function demoCheck(): Promise<number> {
  const config = loadConfig(resolveEnv(process.env, ROOT), coreEnvVars);
  const redis = createRedisClient(redisTarget(config.redis), { connectionName: 'takedown-demo-check', maxRetriesPerRequest: 2 });
  const es = createElasticsearch(config.elasticsearch);
  try {
    const searchUrl = process.env['TAKEDOWN_SEARCH_URL'] ?? 'http://127.0.0.1:8090';
    const r = await checkHidden({ es, redis, contentIndex: config.contentIndex, queuePrefix: config.queuePrefix, searchUrl });
    process.stdout.write(
      [
        `ruleset v${r.rulesetVersion}: ${r.documents} documents in ${config.contentIndex}`,
        `  must never be returned (hidden by live content rules or removed): ${r.mustHide}`,
        `  demoted (suspected): ${r.demoted}`,
        `  stored state differs from the live rules (not scanned yet, or a backfill running): ${r.stale}`,
        `  searches through ${searchUrl}: ${r.searches}`,
        `  leaked: ${r.leaked.length}${r.leaked.length ? ` (${r.leaked.slice(0, 20).join(', ')})` : ''}`,
        '',
      ].join('\n'),
    );
    return r.leaked.length === 0 && r.documents > 0 ? 0 : 1;
  } finally {
    redis.disconnect();
    await es.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`takedown: ${isTakedownError(err) ? err.message : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
