/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests
 * (no npm parser of it is kept up). It refuses what Prometheus would refuse
 * or silently mangle: bad metric or label names, escapes other than \\, \"
 * and \n in label values, a HELP or TYPE given twice, a TYPE after its
 * samples, a family's samples not together, a series given twice, sample
 * names that do not belong to their family's type, negative counters, and
 * histograms whose buckets are not cumulative, lack +Inf, or whose +Inf
 * bucket differs from _count.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

class ParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

function parseValue(s: string, line: number): number {
  // As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case; prom-client writes NaN as "Nan".
  if (/^\+?inf(inity)?$/i.test(s)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(s)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new ParseError(line, `not a number: ${JSON.stringify(s)}`);
  return Number(s);
}

/** Unescapes a HELP text: only \\ and \n are escapes there. */
function unescapeHelp(s: string, line: number): string {
  return s.replace(/\\(.?)/g, (_m, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new ParseError(line, `bad escape \\${c} in HELP`);
  });
}

/** Reads `{a="x",b="y"}` from position `i` (at the `{`); returns the labels and the position after `}`. */
function parseLabels(text: string, i: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  i++;
  for (;;) {
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new ParseError(line, 'label without =');
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new ParseError(line, `bad label name ${JSON.stringify(name)}`);
    if (Object.hasOwn(labels, name)) throw new ParseError(line, `label ${name} given twice`);
    if (text[eq + 1] !== '"') throw new ParseError(line, `label ${name}: value not quoted`);
    let v = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new ParseError(line, `label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = text[j + 1];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new ParseError(line, `label ${name}: bad escape \\${n ?? ''}`);
        j += 2;
        continue;
      }
      v += c;
      j++;
    }
    labels[name] = v;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new ParseError(line, `label ${name}: expected , or } after the value`);
  }
}

/** Which family a sample name belongs to, given the families typed so far. */
function familyOf(sample: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const own = families.get(sample);
  if (own) return own;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

const seriesKey = (s: Sample) =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  const helps = new Map<string, string>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name = '', rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new ParseError(line, `bad metric name ${JSON.stringify(name)}`);
      if (kind === 'HELP') {
        if (helps.has(name)) throw new ParseError(line, `HELP for ${name} given twice`);
        helps.set(name, unescapeHelp(rest, line));
        const f = families.get(name);
        if (f) f.help = helps.get(name);
        return;
      }
      if (families.has(name)) throw new ParseError(line, `TYPE for ${name} given twice`);
      if (!(TYPES as readonly string[]).includes(rest.trim())) throw new ParseError(line, `unknown type ${JSON.stringify(rest)}`);
      if (series.size > 0 && [...series].some((k) => k.startsWith(`${name}{`) || k.startsWith(`${name}_`))) throw new ParseError(line, `TYPE for ${name} after its samples`);
      if (current) closed.add(current.name);
      current = { name, type: rest.trim() as MetricType, samples: [], ...(helps.has(name) ? { help: helps.get(name) } : {}) };
      families.set(name, current);
      return;
    }
    const nameEnd = raw.search(/[{\s]/);
    if (nameEnd <= 0) throw new ParseError(line, 'a sample needs a name and a value');
    const name = raw.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new ParseError(line, `bad metric name ${JSON.stringify(name)}`);
    let labels: Record<string, string> = {};
    let i = nameEnd;
    if (raw[i] === '{') ({ labels, end: i } = parseLabels(raw, i, line));
    const parts = raw.slice(i).trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new ParseError(line, 'expected a value and an optional timestamp');
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new ParseError(line, `bad timestamp ${parts[1]}`);
    const value = parseValue(parts[0] as string, line);
    let family = familyOf(name, families);
    if (!family) {
      // Untyped: its own family.
      family = { name, type: 'untyped', samples: [] };
      families.set(name, family);
      if (current) closed.add(current.name);
      current = family;
    }
    if (family !== current) throw new ParseError(line, `samples of ${family.name} are not together`);
    if (closed.has(family.name)) throw new ParseError(line, `samples of ${family.name} are not together`);
    if ((family.type === 'counter' || family.type === 'gauge' || family.type === 'untyped') && name !== family.name) throw new ParseError(line, `${name} does not belong to ${family.type} ${family.name}`);
    if (family.type === 'histogram' && name === family.name) throw new ParseError(line, `histogram ${family.name} has a sample without _bucket, _sum or _count`);
    if (family.type === 'counter' && !(value >= 0)) throw new ParseError(line, `counter ${name} is ${value}`);
    if (name.endsWith('_bucket') && family.type === 'histogram' && labels['le'] === undefined) throw new ParseError(line, `${name} without le`);
    const sample: Sample = { name, labels, value };
    const key = seriesKey(sample);
    if (series.has(key)) throw new ParseError(line, `series ${key} given twice`);
    series.add(key);
    family.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: MetricFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const k = JSON.stringify(Object.entries(rest).sort());
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { buckets: [] }));
    if (s.name === `${f.name}_bucket`) g.buckets.push([parseValue(le as string, 0), s.value]);
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else if (s.name === `${f.name}_sum`) g.sum = s.value;
  }
  for (const [k, g] of groups) {
    const where = `histogram ${f.name} ${k}`;
    if (g.count === undefined || g.sum === undefined) throw new Error(`${where}: _count or _sum missing`);
    for (let i = 1; i < g.buckets.length; i++) {
      const [prevLe, prevN] = g.buckets[i - 1] as [number, number];
      const [le, n] = g.buckets[i] as [number, number];
      if (!(le > prevLe)) throw new Error(`${where}: le not ascending (${prevLe} then ${le})`);
      if (n < prevN) throw new Error(`${where}: buckets not cumulative at le=${le}`);
    }
    const last = g.buckets[g.buckets.length - 1];
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no +Inf bucket`);
    if (last[1] !== g.count) throw new Error(`${where}: +Inf bucket ${last[1]} differs from _count ${g.count}`);
  }
}

/**
 * The value of the one sample named `name` whose labels include `labels`
 * (others, such as `service`, may be there too); undefined when none does,
 * an error when several do.
 */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found: Sample[] = [];
  for (const f of families.values()) for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) found.push(s);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Parses and reads one sample: the usual question a test asks of a scrape. */
export function scrapeValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return sampleValue(parsePrometheusText(text), name, labels);
}
