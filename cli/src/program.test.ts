import type { Command } from 'commander';
import { runTakedown } from '../../test/support/cli-harness';
import type { CliContext } from './cli-context';
import { buildProgram, wantsJson } from './program';

const ctx = { io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false }, version: '1.2.3' } as unknown as CliContext;

/** Every command that runs something (no subcommands), with its path: ['token', 'create'], … */
function leaves(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [{ path, cmd }];
  return subs.flatMap((c) => leaves(c, [...path, c.name()]));
}

describe('takedown --help and --version', () => {
  it('lists every command group, the environment and the exit codes on stdout, exit 0', async () => {
    const r = await runTakedown(['--help']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    for (const group of ['token', 'person', 'rules', 'legal', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${group} `, 'm'));
    expect(r.stdout).toContain('TAKEDOWN_API_URL');
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}failed[^]* {2}2 {2}usage error[^]* {2}3 {2}unavailable/);
  });

  it('--version prints the version alone', async () => {
    expect(await runTakedown(['--version'], { version: '4.5.6' })).toEqual({ code: 0, stdout: '4.5.6\n', stderr: '' });
  });

  it('every command has its own --help naming its options, --json among them, and the exit codes', async () => {
    const all = leaves(buildProgram(ctx));
    expect(all.map((l) => l.path.join(' '))).toEqual(
      expect.arrayContaining(['token create', 'token revoke', 'token list', 'person create', 'person update', 'person disable', 'rules import', 'rules import-pdq', 'rules backfill status', 'legal verify', 'demo check']),
    );
    for (const { path, cmd } of all) {
      expect({ path, json: cmd.options.some((o) => o.long === '--json') }).toEqual({ path, json: true });
      const r = await runTakedown([...path, '--help']);
      expect({ path, code: r.code }).toEqual({ path, code: 0 });
      expect(r.stdout).toContain(`Usage: takedown ${path.join(' ')}`);
      expect(r.stdout).toContain('--json');
      expect(r.stdout).toContain('Exit codes:');
    }
  });

  it('`help <command>` shows the same help as `<command> --help`', async () => {
    const a = await runTakedown(['token', 'help', 'create']);
    const b = await runTakedown(['token', 'create', '--help']);
    expect(a).toEqual(b);
    expect(a.stdout).toContain('--role <role>');
  });
});

describe('usage errors: exit 2, with a suggestion for a typo', () => {
  it.each([
    [['token', 'crate'], /unknown command 'crate'\n\(Did you mean create\?\)/],
    [['tokn', 'list'], /unknown command 'tokn'\n\(Did you mean token\?\)/],
    [['rules', 'publsh'], /Did you mean publish\?/],
    [['token', 'create', '--rol', 'admin', '--name', 'x'], /unknown option '--rol'\n\(Did you mean --role\?\)/],
    [['person', 'update', 'alice', '--emial', 'a@example.org'], /Did you mean --email\?/],
  ])('%j', async (argv, message) => {
    const r = await runTakedown(argv);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('(add --help for usage)');
  });

  it.each([
    [[], /Usage: takedown/],
    [['token'], /Usage: takedown token/],
    [['token', 'create', '--name', 'x'], /required option '--role <role>' not specified/],
    [['token', 'create', '--role', 'root', '--name', 'x'], /argument 'root' is invalid. Allowed choices are reporter, /],
    [['token', 'create', '--role', 'admin', '--name', 'no spaces'], /'no spaces' is invalid/],
    [['token', 'create', '--role', 'moderator', '--name', 'x', '--standing', 'automated'], /--standing is for reporter tokens only/],
    [['token', 'create', '--role', 'agency', '--name', 'x'], /--agency <registered agency id> goes with --role agency/],
    [['token', 'create', '--person', 'alice', '--role', 'moderator', '--name', 'x', '--csam'], /belong to the person/],
    [['token', 'revoke'], /missing required argument 'token'/],
    [['token', 'revoke', 'a', 'b'], /too many arguments/],
    [['person', 'create', '--name', 'x', '--role', 'moderator', '--standing', 'automated'], /\/roles/],
    [['person', 'update', 'alice'], /nothing to change/],
    [['person', 'update', 'alice', '--csam', 'yes'], /Allowed choices are on, off/],
    [['rules', 'rollback', '0'], /must be an integer from 1/],
    [['rules', 'import-pdq', 'list.csv', '--list', 'x'], /required option '--source <text>' not specified/],
    [['rules', 'import-pdq', 'list.csv', '--list', 'x', '--source', 's', '--category', 'c', '--action', 'a', '--threshold', '49'], /from 0 to 48/],
    [['rules', 'export', '--csv', '--json'], /'--csv' cannot be used with option '--json'/],
    [['rules', 'versions'], /set TAKEDOWN_TOKEN/],
    [['legal', 'verify'], /missing required argument 'package'/],
    [['legal', 'verify', 'package.json'], /no public key: pass --public-key FILE/],
  ])('%j', async (argv, message) => {
    const r = await runTakedown(argv);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
  });

  it('a usage error never reaches a store or a server', async () => {
    const touched: string[] = [];
    const r = await runTakedown(['token', 'create', '--role', 'moderator', '--name', 'x', '--emergency'], {
      tokenStore: async () => {
        touched.push('store');
        throw new Error('reached');
      },
    });
    expect([r.code, touched]).toEqual([2, []]);
  });
});

describe('--json', () => {
  it('is seen before parsing, so even a parse error answers in JSON; not after --', () => {
    expect(wantsJson(['token', 'list', '--json'])).toBe(true);
    expect(wantsJson(['rules', 'import', '--', '--json'])).toBe(false);
  });

  it('a usage error is one JSON document on stderr with a code and the exit code; stdout stays empty', async () => {
    const r = await runTakedown(['token', 'create', '--rol', 'admin', '--json']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(JSON.parse(r.stderr)).toEqual({ error: { exitCode: 2, code: 'unknown_option', message: "unknown option '--rol'\n(Did you mean --role?)" } });
    const own = await runTakedown(['person', 'update', 'alice', '--json']);
    expect(JSON.parse(own.stderr)).toEqual({ error: { exitCode: 2, code: 'usage', message: expect.stringContaining('nothing to change') } });
    const none = await runTakedown(['--json']);
    expect(JSON.parse(none.stderr)).toEqual({ error: { exitCode: 2, code: 'command_required', message: expect.any(String) } });
  });

  it('a failure at runtime is exit 1 with the store’s code', async () => {
    const { NotFoundError } = await import('@takedown/shared');
    const tokenStore = async () =>
      ({
        revoke: async () => {
          throw new NotFoundError('no live token with id or name nobody', 'not_found', 'token');
        },
      }) as never;
    const r = await runTakedown(['token', 'revoke', 'nobody', '--json'], { tokenStore });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(JSON.parse(r.stderr)).toEqual({ error: { exitCode: 1, code: 'not_found', field: 'token', message: 'no live token with id or name nobody' } });
    const text = await runTakedown(['token', 'revoke', 'nobody'], { tokenStore });
    expect([text.code, text.stderr]).toEqual([1, 'takedown: no live token with id or name nobody\n']);
  });

  it('demo check: the report is the document; a leak also fails with exit 1', async () => {
    const report = { rulesetVersion: 3, documents: 10, mustHide: 2, demoted: 1, stale: 0, searches: 4, leaked: ['p1'], contentIndex: 'content', searchUrl: 'http://search' };
    const r = await runTakedown(['demo', 'check', '--json'], { demoCheck: async () => report });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ...report, ok: false });
    expect(JSON.parse(r.stderr)).toEqual({ error: expect.objectContaining({ exitCode: 1, code: 'leaked' }) });
    const clean = await runTakedown(['demo', 'check'], { demoCheck: async () => ({ ...report, leaked: [] }) });
    expect([clean.code, clean.stderr]).toEqual([0, '']);
    expect(clean.stdout).toContain('  leaked: 0\n');
  });
});

describe('the README’s CLI section', () => {
  it('documents every exit code the CLI uses, and every command group', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { EXIT } = await import('./exit-codes');
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### CLI\n'), readme.indexOf('\n## ', readme.indexOf('### CLI\n')));
    for (const code of Object.values(EXIT)) expect({ code, row: new RegExp(`^\\| ${code} \\| `, 'm').test(section) }).toEqual({ code, row: true });
    for (const group of buildProgram(ctx).commands) expect(section).toContain(`npx takedown ${group.name()} `);
  });
});
