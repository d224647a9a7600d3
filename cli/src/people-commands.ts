import { InvalidArgumentError, Option, type Command } from 'commander';
import { EEA_MEMBER_STATES, ROLES, STANDINGS, ValidationError, validatePersonBody, validatePersonPatch, type PersonPatch } from '@takedown/shared';
import type { CliContext } from './cli-context';
import { UsageError } from './exit-codes';
import { mandatoryOption, withJson } from './options';
import { Printer } from './printer';

/**
 * The optional person fields `person create` and `person update` take, one
 * line each. The values go to the API's own schemas (validatePersonBody,
 * validatePersonPatch) under `field`, so a field those schemas learn needs
 * only its line here.
 * - text: `--flag <value>`; on update the word `none` clears it (null).
 * - switch: `--flag` on create; `--flag on|off` on update.
 */
interface PersonField {
  field: string;
  flag: string;
  value?: string;
  kind: 'text' | 'switch';
  choices?: readonly string[];
  help: string;
}

const PERSON_FIELDS: readonly PersonField[] = [
  { field: 'email', flag: '--email', value: '<email>', kind: 'text', help: 'where to reach them' },
  { field: 'csam', flag: '--csam', kind: 'switch', help: 'may work the restricted csam lane' },
  { field: 'standing', flag: '--standing', value: '<standing>', kind: 'text', choices: STANDINGS, help: 'a reporter’s standing' },
  { field: 'memberState', flag: '--member-state', value: '<EEA code>', kind: 'text', choices: EEA_MEMBER_STATES, help: 'with trusted_flagger or authority standing: the EEA state that designated them' },
  { field: 'agency', flag: '--agency', value: '<agency id>', kind: 'text', help: 'with the agency role: the registered agency they act for' },
  { field: 'emergency', flag: '--emergency', kind: 'switch', help: 'with the legal role: may disclose an emergency request alone' },
];

/** Grants live in the person's `grants`; every other field sits on the person itself. */
const GRANT_FIELDS = new Set(['csam', 'standing', 'memberState', 'agency', 'emergency']);

/** commander's key for a flag: `--member-state` → `memberState`. */
const keyOf = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The schemas refuse a value given on the command line: a usage error (exit 2), naming the field. */
function validated<T>(validate: (body: unknown) => T, body: unknown): T {
  try {
    return validate(body);
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.message, err.field);
    throw err;
  }
}

/** `--role`, repeatable. choices() lists the roles in the help; the parser (which replaces choices' own) checks them and collects. */
const roleOption = (help: string, mandatory = false) =>
  (mandatory ? mandatoryOption : (f: string, d: string) => new Option(f, d))('--role <role>', `${help}; repeat for several: --role moderator --role lead`)
    .choices(ROLES).argParser((v: string, prev: string[] | undefined) => {
    if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`Allowed choices are ${ROLES.join(', ')}.`);
    return [...(prev ?? []), v];
  });

/**
 * `takedown person …`: people and their tokens, straight in Redis (like
 * `token create`, for bootstrapping the first admin before any API token
 * exists). Validated with the API's own schemas; every change audited.
 */
export function registerPersonCommands(program: Command, ctx: CliContext): void {
  const person = program.command('person').description('people: the actors tokens belong to, with their roles and grants (straight in Redis)');

  const create = person
    .command('create')
    .description('a new person; prints their id. Give them a token with: takedown token create --person <id> --role <role> --name <token name>')
    .option('--id <actor id>', 'their actor id, chosen once, never reused (lower-case letters, digits, . _ -; default: made from the name)')
    .addOption(mandatoryOption('--name <display name>', 'the name people see'))
    .addOption(roleOption('a role they hold', true));
  for (const f of PERSON_FIELDS) {
    const o = new Option(f.kind === 'text' ? `${f.flag} ${f.value}` : f.flag, f.help);
    create.addOption(f.choices ? o.choices(f.choices) : o);
  }
  withJson(create).action(async (opts: Record<string, unknown>, cmd: Command) => {
    const fields: Record<string, unknown> = {};
    for (const f of PERSON_FIELDS) if (opts[keyOf(f.flag)] !== undefined) fields[f.field] = opts[keyOf(f.flag)];
    const body = validated(validatePersonBody, { ...(opts['id'] !== undefined ? { id: opts['id'] } : {}), displayName: opts['name'], roles: opts['role'], ...fields });
    const grants: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) (GRANT_FIELDS.has(k) ? grants : rest)[k] = v;
    const tokens = await ctx.tokenStore();
    const created = await tokens.people.create({ ...(rest as typeof body), grants }, ctx.actor);
    const out = Printer.for(ctx.io, cmd);
    out.result({ person: created }, created.id);
    out.note(`created ${created.id} (${created.displayName}; ${created.roles.join(', ')}); give them a token: takedown token create --person ${created.id} --role ${created.roles[0]} --name ${created.id}-laptop`);
  });

  withJson(person.command('list').description('everyone, with their live tokens, as JSON')).action(async (_opts: object, cmd: Command) => {
    const tokens = await ctx.tokenStore();
    const [all, toks] = await Promise.all([tokens.people.list(), tokens.list()]);
    const list = all.map((p) => ({ ...p, liveTokens: toks.filter((t) => t.actorId === p.id && !t.revokedAt).map((t) => ({ id: t.id, name: t.name, role: t.role })) }));
    Printer.for(ctx.io, cmd).result(list, JSON.stringify(list, null, 2));
  });

  withJson(person.command('show').description('one person with every token of theirs, as JSON').argument('<actor id>')).action(async (id: string, _opts: object, cmd: Command) => {
    const tokens = await ctx.tokenStore();
    const found = await tokens.people.require(id);
    const shown = { ...found, tokens: await tokens.listFor(found.id) };
    Printer.for(ctx.io, cmd).result(shown, JSON.stringify(shown, null, 2));
  });

  const update = person
    .command('update')
    .description('change what is given; a token in a role they no longer hold is revoked')
    .argument('<actor id>')
    .option('--name <display name>', 'the name people see')
    .addOption(roleOption('their roles, all of them'));
  for (const f of PERSON_FIELDS) {
    const o = f.kind === 'text' ? new Option(`${f.flag} ${f.value}`, `${f.help}; none clears it`) : new Option(`${f.flag} <on|off>`, f.help).choices(['on', 'off']);
    // A text field with choices also takes `none`.
    update.addOption(f.kind === 'text' && f.choices ? o.choices([...f.choices, 'none']) : o);
  }
  withJson(update).action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
    const patch: Record<string, unknown> = {};
    if (opts['name'] !== undefined) patch['displayName'] = opts['name'];
    if (opts['role'] !== undefined) patch['roles'] = opts['role'];
    for (const f of PERSON_FIELDS) {
      const v = opts[keyOf(f.flag)];
      if (v === undefined) continue;
      patch[f.field] = f.kind === 'switch' ? v === 'on' : v === 'none' ? null : v;
    }
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one option (takedown person update --help)');
    const checked = validated(validatePersonPatch, patch) as PersonPatch;
    const tokens = await ctx.tokenStore();
    const updated = await tokens.people.update(id, checked, ctx.actor);
    // A role given back later never revives an old token.
    const tokensRevoked = checked.roles ? await tokens.revokeOutsideRoles(updated.id, updated.roles, ctx.actor) : 0;
    const out = Printer.for(ctx.io, cmd);
    out.result({ person: updated, tokensRevoked });
    if (tokensRevoked > 0) out.note(`revoked ${tokensRevoked} token(s) in roles ${updated.id} no longer holds`);
    const g = updated.grants;
    out.note(`updated ${updated.id} (${updated.roles.join(', ')}${g.csam ? '; csam' : ''}${g.standing ? `; ${g.standing}` : ''}${g.agency ? `; agency ${g.agency}` : ''}${g.emergency ? '; emergency' : ''})`);
  });

  withJson(person.command('disable').description('disable them for good: every token of theirs stops working').argument('<actor id>')).action(async (id: string, _opts: object, cmd: Command) => {
    const tokens = await ctx.tokenStore();
    const disabled = await tokens.people.disable(id, ctx.actor);
    const tokensRevoked = await tokens.revokeAllFor(disabled.id, ctx.actor);
    const out = Printer.for(ctx.io, cmd);
    out.result({ person: disabled, tokensRevoked });
    out.note(`disabled ${disabled.id}; revoked ${tokensRevoked} token(s)`);
  });
}
