import { sanitiseItem } from './msearch';

describe("msearch answers: nothing of Elasticsearch's text passes", () => {
  it('reduces an item error to a type and our reason, a recognised 4xx to a 400', () => {
    const item = { status: 400, error: { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'illegal_argument_exception', reason: 'Result window is too large [doc-removed]' }], failed_shards: [{ index: 'posts', reason: { type: 'x', reason: 'doc-removed' } }] } };
    const out = sanitiseItem(item) as { status: number; error: Record<string, unknown> };
    expect(out.status).toBe(400);
    expect(Object.keys(out.error).sort()).toEqual(['reason', 'type']);
    expect(out.error['type']).toBe('search_phase_execution_exception');
    expect(JSON.stringify(out)).not.toMatch(/doc-removed|posts|all shards/);
  });

  it('keeps only a plain type, and the status of what it does not recognise', () => {
    expect(sanitiseItem({ status: 404, error: { type: 'Index<Not>Found', reason: 'no such index [secret]' } })).toEqual({ status: 404, error: { type: 'search_phase_execution_exception', reason: 'Elasticsearch refused the request (search_phase_execution_exception)' } });
    expect(sanitiseItem({ status: 'x', error: 'text only' })).toMatchObject({ status: 500 });
  });

  it("reduces every shard failure's reason, keeping the hits", () => {
    const item = { hits: { hits: [] }, _shards: { total: 2, successful: 1, failed: 1, failures: [{ shard: 0, index: 'posts', node: 'n1', reason: { type: 'query_shard_exception', reason: 'failed to create query: cocaine doc-removed' } }] } };
    const out = sanitiseItem(item) as { _shards: { failures: unknown[] }; hits: unknown };
    expect(out.hits).toEqual({ hits: [] });
    expect(out._shards.failures).toEqual([{ shard: 0, reason: { type: 'query_shard_exception', reason: 'Elasticsearch could not apply the query to the index' } }]);
  });

  it('answers a missing item as an error, never as silence', () => {
    expect(sanitiseItem(undefined)).toMatchObject({ status: 500, error: { type: 'takedown_missing_response' } });
  });
});
