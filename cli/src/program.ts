import { Command, CommanderError, Option } from 'commander';
import type { CliContext } from './cli-context';
import { registerDemoCommands } from './demo-commands';
import { CommandFailed, EXIT, EXIT_CODES_HELP, failureOf, type CliFailure } from './exit-codes';
import { JSON_FLAG_HELP, checkMandatory } from './options';
import { registerLegalCommands } from './legal-commands';
import { registerPersonCommands } from './people-commands';
import { registerRulesCommands } from './rules-commands';
import { registerTokenCommands } from './token-commands';

const ENV_HELP = `
Environment:
  REDIS_URL, ELASTICSEARCH_URL      token, person and demo commands (default:
                                    the servers npm start started here)
  TAKEDOWN_API_URL, TAKEDOWN_TOKEN  rules commands: the moderation API and a
                                    lead token
  TAKEDOWN_SEARCH_URL               demo check: the search service
  TAKEDOWN_DATA_DIR                 legal verify: where the development
                                    public key is`;

/** Whether --json was asked for (before a `--`): known before parsing, so even a parse error answers in JSON. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The whole command tree. Parse errors and help go through ctx.io, and
 * exitOverride makes commander throw instead of exiting, so one run is one
 * function call (runCli) that tests drive in-process.
 */
export function buildProgram(ctx: CliContext, json = false): Command {
  const program = new Command('takedown')
    .description('Takedown from the command line: tokens and people, rules, disclosure packages, the demo check.')
    .version(ctx.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    // Settings set here are copied to every command added after them.
    .exitOverride()
    // An option belongs to the command it follows: `rules export --csv --json` reaches export (which refuses the pair), not the root.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      // With --json, stderr carries only the error document runCli writes.
      writeErr: (s) => {
        if (!json) ctx.io.stderr(s);
      },
    })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', ENV_HELP)
    .addHelpText('afterAll', EXIT_CODES_HELP)
    .hook('preAction', checkMandatory);
  registerTokenCommands(program, ctx);
  registerPersonCommands(program, ctx);
  registerRulesCommands(program, ctx);
  registerLegalCommands(program, ctx);
  registerDemoCommands(program, ctx);
  acceptJsonEverywhere(program);
  return program;
}

/**
 * The root and the command groups take --json too (hidden: it only shapes
 * their usage errors, `takedown token --json` answering in JSON). Leaves
 * read it with optsWithGlobals, wherever on the line it was given.
 */
function acceptJsonEverywhere(cmd: Command): void {
  if (cmd.commands.length === 0) return;
  cmd.addOption(new Option('--json', JSON_FLAG_HELP).hideHelp());
  for (const sub of cmd.commands) acceptJsonEverywhere(sub);
}

/** Runs one command line (without `node takedown`); resolves to the exit code. Never throws. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const json = wantsJson(argv);
  try {
    await buildProgram(ctx, json).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    const failure = failureOf(err);
    if (failure.exitCode === EXIT.ok) return EXIT.ok;
    if (json) ctx.io.stderr(`${JSON.stringify({ error: failure })}\n`);
    // commander has already said what was wrong with the command line.
    else if (!(err instanceof CommanderError)) ctx.io.stderr(describe(failure, err));
    return failure.exitCode;
  }
}

/** A failure for people: one line, then an import's bad lines when the API listed them. */
function describe(f: CliFailure, err: unknown): string {
  if (err instanceof CommandFailed && err.text !== undefined) return `${err.text}\n`;
  const head = f.status !== undefined ? `takedown: ${f.status} ${f.code} ${f.message}${f.field ? ` (field ${f.field})` : ''}` : `takedown: ${f.message}`;
  const lines = [head];
  const problems = (f.details as { problems?: { line?: number; index?: number; field?: string; message?: string }[] } | undefined)?.problems;
  for (const p of Array.isArray(problems) ? problems.slice(0, 50) : []) {
    lines.push(`  ${p.line !== undefined ? `line ${p.line}` : `rule ${p.index}`}${p.field ? ` [${p.field}]` : ''}: ${p.message}`);
  }
  if (f.exitCode === EXIT.usage) lines.push('(add --help for usage)');
  return `${lines.join('\n')}\n`;
}
