/**
 * A small in-process Prometheus registry (counters and histograms with
 * labels), for services whose metrics are per instance. Text exposition
 * format 0.0.4.
 */
type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`)
    .join(',');

/** One metric family as text: HELP, TYPE and a line per labelled sample (non-finite values as 0). */
export function renderSamples(name: string, type: 'counter' | 'gauge', help: string, samples: readonly [Labels, number][]): string[] {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, v] of samples) {
    const k = key(labels);
    out.push(`${name}${k ? `{${k}}` : ''} ${Number.isFinite(v) ? v : 0}`);
  }
  return out;
}

/** A histogram series as text: cumulative bucket counts by upper bound (seconds), then sum and count. */
function histogramLines(name: string, labelKey: string, buckets: readonly [number, number][], sum: number, count: number): string[] {
  const pre = labelKey ? `${labelKey},` : '';
  const out = buckets.map(([le, n]) => `${name}_bucket{${pre}le="${le}"} ${n}`);
  out.push(`${name}_bucket{${pre}le="+Inf"} ${count}`, `${name}_sum${labelKey ? `{${labelKey}}` : ''} ${sum}`, `${name}_count${labelKey ? `{${labelKey}}` : ''} ${count}`);
  return out;
}

/** A histogram whose counts live elsewhere (e.g. in Redis), in the same text format as Histogram. */
export function renderHistogram(name: string, help: string, buckets: readonly [number, number][], sum: number, count: number): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`, ...histogramLines(name, '', buckets, sum, count)];
}

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) out.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return out;
  }
}

export class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds in seconds, ascending. */
    readonly bounds: readonly number[],
  ) {}

  observe(seconds: number, labels: Labels = {}): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.bounds.length; i++) if (seconds <= (this.bounds[i] as number)) s.buckets[i] = (s.buckets[i] as number) + 1;
    s.sum += seconds;
    s.count++;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      out.push(...histogramLines(this.name, k, this.bounds.map((b, i) => [b, s.buckets[i] as number]), s.sum, s.count));
    }
    return out;
  }
}

export function renderAll(metrics: readonly (Counter | Histogram)[]): string {
  return `${metrics.flatMap((m) => m.render()).join('\n')}\n`;
}
