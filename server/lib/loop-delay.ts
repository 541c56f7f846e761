import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * How late the event loop runs, as the mean delay (ms) of the last completed window: Node's own
 * histogram (a libuv timer every 10 ms), read and reset once per window. A mean rather than a maximum:
 * one long garbage collection moves it a little, a saturated process (every turn of the loop long)
 * moves it a lot. Used by admission control (issue 18 §3) as a measure of capacity that follows the
 * machine, where a constant number of requests in flight is tuned to one machine only.
 */
export function createLoopDelay(windowMs = 500) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let meanMs = 0;
  const timer = setInterval(() => {
    meanMs = histogram.count > 0 ? histogram.mean / 1e6 : 0;
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    meanMs: () => meanMs,
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
