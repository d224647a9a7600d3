import { InvalidArgumentError, Option, type Command } from 'commander';
import { ROLES, STANDINGS, TOKEN_NAME_PATTERN, type Role, type Standing } from '@takedown/shared';
import type { CliContext } from './cli-context';
import { UsageError } from './exit-codes';
import { mandatoryOption, withJson } from './options';
import { Printer } from './printer';

interface CreateOptions {
  role: Role;
  name: string;
  person?: string;
  csam?: boolean;
  standing?: Standing;
  agency?: string;
  emergency?: boolean;
}

/** A token name the store will take (checked here too, so a bad one is a usage error, exit 2). */
function tokenName(value: string): string {
  if (!new RegExp(TOKEN_NAME_PATTERN).test(value)) throw new InvalidArgumentError('letters, digits, . _ @ -, at most 80');
  return value;
}

/**
 * `takedown token …`: tokens straight in Redis, so the first admin can be
 * made before any API token exists. `token create` prints the token alone
 * on stdout (`TOKEN=$(npx takedown token create …)`); it is shown once.
 */
export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('create, revoke and list API tokens (straight in Redis)');

  withJson(
    token
      .command('create')
      .description('a new person holding this one role and their first token; or, with --person, another token for a person (a device, a rotation). Prints the token alone on stdout; it is shown only this once')
      .addOption(mandatoryOption('--role <role>', 'the role the token acts in').choices(ROLES))
      .addOption(mandatoryOption('--name <name>', 'the token name (letters, digits, . _ @ -): unique among live tokens').argParser(tokenName))
      .option('--person <actor id>', 'an existing person to give another token (grants stay on the person)')
      .option('--csam', 'the new person may work the restricted csam lane')
      .addOption(new Option('--standing <standing>', 'a reporter token’s standing').choices(STANDINGS))
      .option('--agency <agency id>', 'with --role agency: the registered agency the person acts for')
      .option('--emergency', 'with --role legal: may disclose an emergency request alone'),
  ).action(async (opts: CreateOptions, cmd: Command) => {
    const grantFlags = opts.csam || opts.standing !== undefined || opts.agency !== undefined || opts.emergency;
    if (opts.person !== undefined && grantFlags) {
      throw new UsageError(`--csam, --standing, --agency and --emergency belong to the person: takedown person update ${opts.person} --csam on`);
    }
    if (opts.standing !== undefined && opts.role !== 'reporter') throw new UsageError('--standing is for reporter tokens only', 'standing');
    if (opts.person === undefined && (opts.role === 'agency') !== (opts.agency !== undefined)) {
      throw new UsageError('--agency <registered agency id> goes with --role agency, and only with it', 'agency');
    }
    if (opts.emergency && opts.role !== 'legal') throw new UsageError('--emergency is for legal tokens only', 'emergency');
    const out = Printer.for(ctx.io, cmd);
    const tokens = await ctx.tokenStore();
    const grants = {
      ...(opts.csam ? { csam: true } : {}),
      ...(opts.standing ? { standing: opts.standing } : {}),
      ...(opts.agency ? { agency: opts.agency } : {}),
      ...(opts.emergency ? { emergency: true } : {}),
    };
    const { token: secret, record, person } = await tokens.create({ role: opts.role, name: opts.name, createdBy: ctx.actor, ...(opts.person !== undefined ? { actorId: opts.person } : { grants }) });
    out.result({ token: secret, record, person }, secret);
    out.note(`created token ${record.id} (${record.role}, ${record.name}) for ${person.id}${person.grants.csam ? ', csam' : ''}${person.grants.standing ? `, ${person.grants.standing}` : ''}; it is shown only this once`);
  });

  withJson(token.command('revoke').description('revoke a live token at once').argument('<token>', 'the token id or name')).action(async (target: string, _opts: object, cmd: Command) => {
    const out = Printer.for(ctx.io, cmd);
    const record = await (await ctx.tokenStore()).revoke(target, ctx.actor);
    out.result({ record });
    out.note(`revoked token ${record.id} (${record.role}, ${record.name})`);
  });

  withJson(token.command('list').description('every token, live and revoked, as JSON (never the secret)')).action(async (_opts: object, cmd: Command) => {
    const list = await (await ctx.tokenStore()).list();
    // Already JSON without --json: the same document either way.
    Printer.for(ctx.io, cmd).result(list, JSON.stringify(list, null, 2));
  });
}
