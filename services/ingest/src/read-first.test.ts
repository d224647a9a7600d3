import { ReadFirst } from './read-first';

describe('ReadFirst', () => {
  it('writes new posts without a read, and switches to reading first when most writes find their post there', () => {
    const mode = new ReadFirst();
    expect(mode.shouldRead).toBe(false);
    for (let i = 0; i < 100; i++) mode.record(i % 4 === 0);
    expect(mode.shouldRead).toBe(false);
    for (let i = 0; i < 200; i++) mode.record(true);
    expect(mode.shouldRead).toBe(true);
    for (let i = 0; i < 200; i++) mode.record(false);
    expect(mode.shouldRead).toBe(false);
  });
});
