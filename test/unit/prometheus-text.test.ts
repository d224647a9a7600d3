import { Counter, Gauge, Histogram, createProcessMetrics } from '@takedown/shared';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text';

/** The strict parser the /metrics tests rely on: it must refuse what Prometheus would refuse. */
describe('parsePrometheusText', () => {
  it('reads what prom-client writes: default metrics, labels with escapes, histograms', async () => {
    const m = createProcessMetrics('unit');
    const registers = [m.registry];
    new Counter({ name: 'takedown_unit_total', help: 'a "quoted" \\ help\nline', labelNames: ['why'], registers }).inc({ why: 'a "b"\\c\nd' }, 2);
    new Gauge({ name: 'takedown_unit_gauge', help: 'g', registers }).set(-1.5);
    const h = new Histogram({ name: 'takedown_unit_seconds', help: 'h', labelNames: ['outcome'], buckets: [0.1, 1], registers });
    h.observe({ outcome: 'ok' }, 0.05);
    h.observe({ outcome: 'ok' }, 5);
    const f = parsePrometheusText(await m.exposition());
    expect(f.get('takedown_unit_total')?.help).toBe('a "quoted" \\ help\nline');
    expect(sampleValue(f, 'takedown_unit_total', { why: 'a "b"\\c\nd', service: 'unit' })).toBe(2);
    expect(sampleValue(f, 'takedown_unit_gauge')).toBe(-1.5);
    expect(sampleValue(f, 'takedown_unit_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(sampleValue(f, 'takedown_unit_seconds_count')).toBe(2);
    expect(f.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(f.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });

  it.each([
    ['a bad metric name', '# TYPE 1x counter\n1x 1\n', /bad metric name/],
    ['a bad label name', '# TYPE x counter\nx{1a="v"} 1\n', /bad label name/],
    ['a reserved label name', '# TYPE x counter\nx{__a="v"} 1\n', /bad label name/],
    ['an unknown escape in a label value', '# TYPE x counter\nx{a="\\t"} 1\n', /bad escape/],
    ['an unquoted label value', '# TYPE x counter\nx{a=v} 1\n', /not quoted/],
    ['a value that is no number', '# TYPE x gauge\nx one\n', /not a number/],
    ['a negative counter', '# TYPE x counter\nx -1\n', /counter x is -1/],
    ['TYPE twice', '# TYPE x counter\n# TYPE x counter\nx 1\n', /TYPE for x given twice/],
    ['HELP twice', '# HELP x a\n# HELP x b\n# TYPE x counter\nx 1\n', /HELP for x given twice/],
    ['a series twice', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n', /given twice/],
    ['a family split up', '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a="1"} 2\n', /not together/],
    ['a TYPE after its samples', 'x 1\n# TYPE x gauge\n', /TYPE for x/],
    ['a histogram sample without a suffix', '# TYPE h histogram\nh 1\n', /without _bucket/],
    ['no trailing newline', '# TYPE x gauge\nx 1', /newline/],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="2"} 2\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 3\n', /not cumulative/],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 3\nh_sum 1\nh_count 3\n', /no \+Inf/],
    ['+Inf differing from _count', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', /differs from _count/],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n', /_count or _sum missing/],
  ])('refuses %s', (_what, text, error) => {
    expect(() => parsePrometheusText(text)).toThrow(error);
  });
});
