import { Option, type Command } from 'commander';

export const JSON_FLAG_HELP = 'print the result as one JSON document on stdout; errors as JSON on stderr';

/** Adds `--json` to a command: every command has it. */
export function withJson(cmd: Command): Command {
  return cmd.option('--json', JSON_FLAG_HELP);
}

const MANDATORY = new WeakSet<Option>();

/**
 * An option the command cannot run without. Unlike commander's own
 * mandatory options, it is checked after unknown options (checkMandatory,
 * a preAction hook), so a typo such as `--rol` is answered with its
 * suggestion (`--role`) rather than "--role not specified".
 */
export function mandatoryOption(flags: string, description: string): Option {
  const o = new Option(flags, `${description} (required)`);
  MANDATORY.add(o);
  return o;
}

/** preAction hook on the root: every mandatory option of the command about to run has a value. */
export function checkMandatory(_root: Command, action: Command): void {
  for (const o of action.options) {
    if (MANDATORY.has(o) && action.getOptionValue(o.attributeName()) === undefined) {
      action.error(`error: required option '${o.flags}' not specified`, { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
    }
  }
}
