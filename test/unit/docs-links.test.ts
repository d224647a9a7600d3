import fs from 'node:fs';
import path from 'node:path';

// Docs must stand on their own in a clone: every relative link resolves to a
// file inside the repository, and every #anchor to a heading that exists.

const root = path.resolve(__dirname, '..', '..');

/** The Markdown files whose links are checked: the README, docs/ and the packages' READMEs. */
function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const packages = ['features/README.md', 'search-rules/README.md'].filter((f) => fs.existsSync(path.join(root, f)));
  return ['README.md', ...docs, ...packages];
}

/** Fenced blocks (```, ~~~) and inline code spans hold examples, not links. */
function withoutCode(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets: inline links and images `[x](target "title")`, and reference definitions `[x]: target`. */
function linkTargets(text: string): string[] {
  const body = withoutCode(text);
  const inline = [...body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
  const refs = [...body.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] as string);
  return [...inline, ...refs];
}

/** GitHub's heading anchors: lower case, punctuation and symbols dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutCodeBlocks(text).matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/gm)) {
    const plain = (m[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*_~]/g, (c) => (c === '_' ? c : ''));
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1] as string);
  return anchors;
}

function withoutCodeBlocks(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** What is wrong with each relative link of `file` (a path relative to the repository root). */
function linkProblems(file: string, text: string, repoRoot = root): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    // Absolute URLs (http:, https:, mailto:) and protocol-relative ones leave the repository on purpose.
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    // GitHub resolves "/x" from the repository root, anything else from the linking file's folder.
    const resolved = pathPart === '' ? path.join(repoRoot, file) : pathPart.startsWith('/') ? path.join(repoRoot, pathPart) : path.resolve(repoRoot, path.dirname(file), pathPart);
    const inside = path.relative(repoRoot, resolved);
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      problems.push(`${file}: ${target} points outside the repository`);
      continue;
    }
    if (!fs.existsSync(resolved)) {
      problems.push(`${file}: ${target} does not exist`);
      continue;
    }
    if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md')) {
      const targetText = pathPart === '' ? text : fs.readFileSync(resolved, 'utf8');
      if (!headingAnchors(targetText).has(anchor)) problems.push(`${file}: ${target} names no heading of ${inside}`);
    }
  }
  return problems;
}

describe('links in the docs', () => {
  it('every relative link of README.md, docs/*.md and the package READMEs resolves inside the repository, anchors included', () => {
    const files = docFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/operations.md', 'docs/integration.md']));
    const problems = files.flatMap((f) => linkProblems(f, fs.readFileSync(path.join(root, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('the README links the three docs', () => {
    const targets = linkTargets(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
    expect(targets).toEqual(expect.arrayContaining(['docs/architecture.md', 'docs/operations.md', 'docs/integration.md']));
  });

  it('refuses a link out of the repository, a missing file and a missing heading, and accepts good ones', () => {
    const text = [
      'See [the design](../shared/design.md), [compliance](/../compliance.md),',
      '[ops](docs/operations.md#no-such-heading), [gone](docs/nope.md) and [here](#no-heading-here).',
      '[arch](docs/architecture.md), [top](#links-here), [web](https://example.org/x.md), `[code](../x.md)`',
      '',
      '## Links here',
      '',
      '```',
      '[fenced](../also/ignored.md)',
      '```',
    ].join('\n');
    expect(linkProblems('README.md', text)).toEqual([
      'README.md: ../shared/design.md points outside the repository',
      'README.md: /../compliance.md points outside the repository',
      'README.md: docs/operations.md#no-such-heading names no heading of docs/operations.md',
      'README.md: docs/nope.md does not exist',
      'README.md: #no-heading-here names no heading of README.md',
    ]);
  });

  it('makes anchors as GitHub does', () => {
    const anchors = headingAnchors("## Search service (for the platform's search team)\n## `GET /readyz` — probes\n## Setup\n## Setup\n");
    expect([...anchors]).toEqual(['search-service-for-the-platforms-search-team', 'get-readyz--probes', 'setup', 'setup-1']);
  });
});
