import { parseArgs } from 'node:util';
import { STANDINGS, ValidationError, validatePersonBody, validatePersonPatch, type PersonPatch, type TokenStore } from '@takedown/shared';

/**
 * `takedown person …`: people and their tokens, straight in Redis (like
 * `token create`, for bootstrapping the first admin before any API token
 * exists). Validated with the API's own schemas; every change audited.
 */
export const PEOPLE_USAGE = `  takedown person create [--id <actor id>] --name <display name> --role <role> [--role <role> …] [--email <email>] [--csam] [--standing <${STANDINGS.join('|')}> [--member-state <EEA code>]] [--agency <agency id>] [--emergency]
  takedown person list
  takedown person show <actor id>
  takedown person update <actor id> [--name <display name>] [--role <role> …] [--email <email>|none] [--csam on|off] [--standing <standing>|none] [--member-state <EEA code>|none] [--agency <agency id>|none] [--emergency on|off]
  takedown person disable <actor id>       every token of theirs stops working
  takedown token create --person <actor id> --role <role> --name <token name>   another token for a person (a device, a rotation)
`;

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

function onOff(v: string | undefined, flag: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'off') return v === 'on';
  throw new ValidationError(`${flag} takes on or off`, flag);
}

export async function personCommand(tokens: TokenStore, actor: string, command: string | undefined, rest: string[]): Promise<number> {
  const people = tokens.people;
  if (command === 'create') {
    const { values } = parseArgs({ args: rest, options: { id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', multiple: true }, email: { type: 'string' }, csam: { type: 'boolean' }, standing: { type: 'string' }, 'member-state': { type: 'string' }, agency: { type: 'string' }, emergency: { type: 'boolean' } } });
    const body = validatePersonBody({
      ...(values.id ? { id: values.id } : {}),
      displayName: values.name,
      roles: values.role ?? [],
      ...(values.email ? { email: values.email } : {}),
      ...(values.csam ? { csam: true } : {}),
      ...(values.standing ? { standing: values.standing } : {}),
      ...(values['member-state'] ? { memberState: values['member-state'] } : {}),
      ...(values.agency ? { agency: values.agency } : {}),
      ...(values.emergency ? { emergency: true } : {}),
    });
    const person = await people.create(
      {
        ...(body.id ? { id: body.id } : {}),
        displayName: body.displayName,
        roles: body.roles,
        ...(body.email ? { email: body.email } : {}),
        grants: {
          ...(body.csam ? { csam: true } : {}),
          ...(body.standing ? { standing: body.standing } : {}),
          ...(body.memberState ? { memberState: body.memberState } : {}),
          ...(body.agency ? { agency: body.agency } : {}),
          ...(body.emergency ? { emergency: true } : {}),
        },
      },
      actor,
    );
    out(person.id);
    err(`created ${person.id} (${person.displayName}; ${person.roles.join(', ')}); give them a token: takedown token create --person ${person.id} --role ${person.roles[0]} --name ${person.id}-laptop`);
    return 0;
  }
  if (command === 'list') {
    const all = await people.list();
    const toks = await tokens.list();
    out(JSON.stringify(all.map((p) => ({ ...p, liveTokens: toks.filter((t) => t.actorId === p.id && !t.revokedAt).map((t) => ({ id: t.id, name: t.name, role: t.role })) })), null, 2));
    return 0;
  }
  if (command === 'show' && rest[0]) {
    const person = await people.require(rest[0]);
    out(JSON.stringify({ ...person, tokens: await tokens.listFor(person.id) }, null, 2));
    return 0;
  }
  if (command === 'update' && rest[0]) {
    const { values } = parseArgs({ args: rest.slice(1), options: { name: { type: 'string' }, role: { type: 'string', multiple: true }, email: { type: 'string' }, csam: { type: 'string' }, standing: { type: 'string' }, 'member-state': { type: 'string' }, agency: { type: 'string' }, emergency: { type: 'string' } } });
    const csam = onOff(values.csam, '--csam');
    const emergency = onOff(values.emergency, '--emergency');
    const patch = validatePersonPatch({
      ...(values.name !== undefined ? { displayName: values.name } : {}),
      ...(values.role ? { roles: values.role } : {}),
      ...(values.email !== undefined ? { email: values.email === 'none' ? null : values.email } : {}),
      ...(csam !== undefined ? { csam } : {}),
      ...(values.standing !== undefined ? { standing: values.standing === 'none' ? null : values.standing } : {}),
      ...(values['member-state'] !== undefined ? { memberState: values['member-state'] === 'none' ? null : values['member-state'] } : {}),
      ...(values.agency !== undefined ? { agency: values.agency === 'none' ? null : values.agency } : {}),
      ...(emergency !== undefined ? { emergency } : {}),
    }) as PersonPatch;
    const person = await people.update(rest[0], patch, actor);
    // A role given back later never revives an old token.
    const revoked = patch.roles ? await tokens.revokeOutsideRoles(person.id, person.roles, actor) : 0;
    if (revoked > 0) err(`revoked ${revoked} token(s) in roles ${person.id} no longer holds`);
    err(`updated ${person.id} (${person.roles.join(', ')}${person.grants.csam ? '; csam' : ''}${person.grants.standing ? `; ${person.grants.standing}${person.grants.memberState ? ` ${person.grants.memberState}` : ''}` : ''}${person.grants.agency ? `; agency ${person.grants.agency}` : ''}${person.grants.emergency ? '; emergency' : ''})`);
    return 0;
  }
  if (command === 'disable' && rest[0]) {
    const person = await people.disable(rest[0], actor);
    const n = await tokens.revokeAllFor(person.id, actor);
    err(`disabled ${person.id}; revoked ${n} token(s)`);
    return 0;
  }
  err(`usage:\n${PEOPLE_USAGE}`);
  return 2;
}
