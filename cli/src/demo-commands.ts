import type { Command } from 'commander';
import type { CliContext } from './cli-context';
import { CommandFailed } from './exit-codes';
import { withJson } from './options';
import { Printer } from './printer';

/** `takedown demo check`: exit 1 when a post the live rules hide comes back from a search (or there was nothing to check). */
export function registerDemoCommands(program: Command, ctx: CliContext): void {
  const demo = program.command('demo').description('checks on a running demo');

  withJson(
    demo
      .command('check')
      .description(
        'read every post in the content index, scan it with the live ruleset, and check through the search service (TAKEDOWN_SEARCH_URL) that none the rules hide (or a decision removed) comes back; exit 1 on a leak or an empty index',
      ),
  ).action(async (_opts: object, cmd: Command) => {
    const r = await ctx.demoCheck();
    const out = Printer.for(ctx.io, cmd);
    out.result(
      { ...r, ok: r.leaked.length === 0 && r.documents > 0 },
      [
        `ruleset v${r.rulesetVersion}: ${r.documents} documents in ${r.contentIndex}`,
        `  must never be returned (hidden by live content rules or removed): ${r.mustHide}`,
        `  demoted (suspected): ${r.demoted}`,
        `  stored state differs from the live rules (not scanned yet, or a backfill running): ${r.stale}`,
        `  searches through ${r.searchUrl}: ${r.searches}`,
        `  leaked: ${r.leaked.length}${r.leaked.length ? ` (${r.leaked.slice(0, 20).join(', ')})` : ''}`,
      ].join('\n'),
    );
    if (r.leaked.length > 0) throw new CommandFailed('leaked', `${r.leaked.length} post(s) the live rules hide came back from a search`);
    if (r.documents === 0) throw new CommandFailed('nothing_checked', `${r.contentIndex} holds no documents: nothing was checked`);
  });
}
