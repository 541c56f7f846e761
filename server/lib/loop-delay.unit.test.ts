import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLoopDelay } from './loop-delay';

/** Keeps the event loop busy for `ms`, in turns of `turnMs` each with a timer's chance in between. */
async function saturate(ms: number, turnMs: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const turn = performance.now() + turnMs;
    while (performance.now() < turn) {
      // busy: one long turn of the loop, like a saturated server's
    }
    await sleep(0);
  }
}

describe('createLoopDelay', () => {
  it('reads near zero while idle, high while every turn of the loop is long, and recovers', async () => {
    const delay = createLoopDelay(200);
    try {
      await sleep(450);
      expect(delay.meanMs()).toBeLessThan(30);
      await saturate(650, 80);
      expect(delay.meanMs()).toBeGreaterThan(30);
      await sleep(450);
      expect(delay.meanMs()).toBeLessThan(30);
    } finally {
      delay.stop();
    }
  });
});
