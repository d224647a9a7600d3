import { progressBar } from './rules-commands';

describe('progressBar', () => {
  it('fills in proportion and never overflows', () => {
    expect(progressBar(0, 10, 10)).toBe('[----------]   0.0%');
    expect(progressBar(5, 10, 10)).toBe('[#####-----]  50.0%');
    expect(progressBar(15, 10, 10)).toBe('[##########] 100.0%');
    expect(progressBar(0, 0, 4)).toBe('[####] 100.0%');
  });
});
