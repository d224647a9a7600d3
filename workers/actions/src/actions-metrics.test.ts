import { Registry } from '@takedown/shared';
import { createActionsMetrics } from './actions-metrics';

describe('actions metrics', () => {
  it('count decisions by action and outcome, csam ones left out of the count (the API shows those only with the grant)', async () => {
    const registry = new Registry();
    const m = createActionsMetrics(registry);
    m.handled({ action: 'remove', category: 'drugs' }, 'applied', 1500);
    m.handled({ action: 'remove', category: 'csam' }, 'applied', 800);
    m.handled({ action: 'keep', category: 'drugs' }, 'replay');
    const text = await registry.metrics();
    expect(text).toContain('takedown_actions_decisions_total{action="remove",outcome="applied"} 1\n');
    expect(text).toContain('takedown_actions_decisions_total{action="keep",outcome="replay"} 1\n');
    // No series names a category: the csam removal is simply not counted.
    expect(text).not.toMatch(/category=/);
    // Time to takedown is every applied decision's, as in the API's histogram (which every scraper sees).
    expect(text).toContain('takedown_actions_decision_to_takedown_seconds_count 2\n');
  });
});
