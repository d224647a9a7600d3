import type { Command } from 'commander';
import type { CliIo } from './cli-context';

/**
 * A command's output. Results go to stdout; messages for people go to
 * stderr, except with --json, where stdout holds exactly one JSON document
 * and stderr only an error document (so a script can parse both).
 */
export class Printer {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  static for(io: CliIo, cmd: Command): Printer {
    return new Printer(io, cmd.optsWithGlobals()['json'] === true);
  }

  /** The command's result: `doc` with --json; otherwise `text` when there is any. */
  result(doc: unknown, text?: string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    else if (text !== undefined) this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A message for people; silent with --json. */
  note(text: string): void {
    if (!this.json) this.io.stderr(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A line that redraws in place on a terminal (progress); silent with --json. */
  progress(line: string, last: boolean): void {
    if (this.json) return;
    if (this.io.stderrIsTTY) this.io.stderr(`\r${line}${last ? '\n' : ''}`);
    else this.io.stderr(`${line}\n`);
  }
}
