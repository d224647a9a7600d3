import { IdLocks } from './id-locks';

describe('IdLocks', () => {
  it('runs holders of one id in the order they registered, others at once, and never deadlocks', async () => {
    const locks = new IdLocks();
    const order: string[] = [];
    const a = await locks.acquire(['x', 'y']);
    const b = locks.acquire(['y', 'z']).then((release) => {
      order.push('b');
      release();
    });
    const c = locks.acquire(['z', 'x']).then((release) => {
      order.push('c');
      release();
    });
    const d = locks.acquire(['w']).then((release) => {
      order.push('d');
      release();
    });
    await d;
    expect(order).toEqual(['d']);
    a();
    await Promise.all([b, c]);
    expect(order).toEqual(['d', 'b', 'c']);
    expect(locks.size).toBe(0);
  });
});
