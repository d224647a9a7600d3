import { GENERIC_ES_TYPE, safeEsError } from './es-upstream-error';

describe('safeEsError', () => {
  it('recognises a result window deep in the cause chain and says so in its own words', () => {
    const s = safeEsError({ type: 'search_phase_execution_exception', reason: 'all shards failed', failed_shards: [{ reason: { type: 'illegal_argument_exception', reason: 'Result window is too large ... [post-secret]' } }] });
    expect(s).toEqual({ type: 'search_phase_execution_exception', code: 'result_window_too_large', field: '/from', reason: expect.stringContaining('result window') });
    expect(JSON.stringify(s)).not.toContain('post-secret');
  });

  it('keeps only a plain type for what it does not know, and never the reason', () => {
    expect(safeEsError({ type: 'weird_exception', reason: 'doc-removed leaked here' })).toEqual({ type: 'weird_exception', code: undefined, field: undefined, reason: 'Elasticsearch refused the request (weird_exception)' });
    expect(safeEsError({ type: 'Not A Type <script>', reason: 'x' }).type).toBe(GENERIC_ES_TYPE);
    expect(safeEsError(undefined).type).toBe(GENERIC_ES_TYPE);
  });

  it('survives a cause chain nested far deeper than it reads', () => {
    let cause: Record<string, unknown> = { type: 'number_format_exception', reason: 'x' };
    for (let i = 0; i < 5000; i++) cause = { type: 'wrapper_exception', reason: 'w', caused_by: cause };
    expect(safeEsError(cause).code).toBeUndefined();
  });
});
