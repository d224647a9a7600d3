import { coalesced } from './coalesced';

describe('coalesced', () => {
  it('runs one at a time and once more after calls that came mid-run', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const check = coalesced(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
    });
    const first = check();
    void check();
    void check();
    expect(runs).toBe(1);
    release();
    await first;
    // The calls during the first run asked for one more, not two.
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
    release();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
  });
});
