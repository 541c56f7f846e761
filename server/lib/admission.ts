import { DomainError } from './errors';

export type AdmissionConfig = {
  /** Work of this kind running at once; past it, new work is refused at once instead of queueing. */
  maxInFlight: number;
  /** Work queued behind it elsewhere (e.g. bookings waiting for a dispatch round) that also says "full". */
  maxBacklog: number;
  /** What the refusal tells the client to wait (a random spread up to twice this, so retries don't align). */
  retryAfterSeconds: number;
  /** The event loop's mean delay (ms, see loop-delay.ts) past which new work is refused too; 0: not used. */
  maxLoopDelayMs?: number;
  /**
   * The mean time the admitted work finished in over the last half second to a second (ms) past which a
   * share of new work is refused too, the larger the further over (or 4× its usual mean, if more: a distant
   * database); 0: not used. It sees what the event loop does not: the database's side.
   */
  maxLatencyMs?: number;
};

export type AdmissionSignals = {
  /** Work queued behind it elsewhere (compared with maxBacklog). */
  backlog?: () => number;
  /** The event loop's current mean delay in ms (compared with maxLoopDelayMs). */
  loopDelayMs?: () => number;
};

/**
 * Admission control for work that starts more work (issue 18 §3). Past the knee, accepting everything
 * makes every request slower together until nothing finishes in time; refusing new work early, with
 * TOO_MANY_REQUESTS and a Retry-After, keeps what was admitted fast and the completed rate near the peak.
 * A concurrency limit rather than a rate limit: when the machine is slow (PostgreSQL busy, CPU shared)
 * each request takes longer, more are in flight at once, and the limit bites sooner by itself. But an
 * admitted booking starts more work than its create (an accept, four advances) that the limit does not
 * see: on a machine three times slower, 12 creates in flight still admitted half again what it could
 * finish, and completed jobs fell to a tenth. So a saturated event loop (its mean delay) refuses too, and
 * so does a slow database, which the event loop does not see: while the work admitted in the last half
 * second to a second took longer than `maxLatencyMs` on average, a share of new work is refused, the
 * larger the further over, until it has drained.
 */
export function createAdmission(
  name: string,
  config: AdmissionConfig,
  signals: AdmissionSignals = {},
  random: () => number = Math.random,
  clock: () => number = performance.now.bind(performance),
) {
  const backlog = signals.backlog ?? (() => 0);
  const loopDelayMs = signals.loopDelayMs ?? (() => 0);
  const maxLoopDelayMs = config.maxLoopDelayMs || Number.POSITIVE_INFINITY;
  const maxLatencyMs = config.maxLatencyMs || Number.POSITIVE_INFINITY;
  const latency = createRecentMean(LATENCY_WINDOW_MS, clock);
  /**
   * Over the latency bound, a share of new work is refused, the larger the further over: half again the
   * bound refuses half, twice the bound all. Refusing all at the first millisecond over was an on/off
   * switch: nothing admitted, nothing measured, a second later all admitted again. On a machine that could
   * do 110 jobs/s, 140 bookings/s offered completed 67/s that way, 118/s without the bound (issue 18 §3).
   * What is still admitted keeps the mean measured, so the share follows the load.
   */
  const slow = () => {
    const over = latency.overBy(maxLatencyMs);
    return over > 0 && random() < Math.min(1, over);
  };
  let inFlight = 0;
  let shed = 0;
  let admitted = 0;
  return {
    /** Admits one unit of work (call the returned release when it is done) or throws OVERLOADED. */
    enter(): () => void {
      if (
        inFlight >= config.maxInFlight ||
        backlog() >= config.maxBacklog ||
        loopDelayMs() > maxLoopDelayMs ||
        slow()
      ) {
        shed++;
        const retryAfterSeconds = Math.max(1, Math.round(config.retryAfterSeconds * (1 + random())));
        throw new DomainError('OVERLOADED', `Fundi is very busy right now (${name}). Trying again shortly.`, {
          retryAfterSeconds,
        });
      }
      inFlight++;
      admitted++;
      const startedAt = clock();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
        latency.add(clock() - startedAt);
      };
    },
    stats: () => ({
      inFlight,
      admitted,
      shed,
      backlog: backlog(),
      loopDelayMs: loopDelayMs(),
      latencyMs: latency.mean(),
      usualLatencyMs: latency.baseline(),
    }),
  };
}

/** Admitted work's durations are averaged over the current and the previous window of this length. */
const LATENCY_WINDOW_MS = 500;
/**
 * Fewer finished in the window is not a rush, whatever they took: one slow create (a cold start, a
 * database hiccup) must not refuse the next customer of a quiet hour.
 */
const LATENCY_MIN_SAMPLES = 8;
/**
 * The bound is never under this many times the usual duration: the lowest half-second mean (of at least
 * half LATENCY_MIN_SAMPLES) in the last BASELINE_MINUTES. A database a region away makes every create take
 * hundreds of ms at any load; that is its normal, not saturation. Near the database, the configured bound
 * is the larger one. Shedding keeps admitted work near its usual duration, so the baseline holds in a rush.
 */
const BASELINE_FACTOR = 4;
const BASELINE_MINUTES = 5;

/**
 * The mean of the values added in the current and the previous window (two buckets, no per-value memory),
 * and the usual mean to judge it against. With nothing added for two windows it is 0: once shedding has
 * let the system drain, work is admitted again and measured afresh.
 */
function createRecentMean(windowMs: number, clock: () => number) {
  let bucketStart = clock();
  let current = { sum: 0, count: 0 };
  let previous = { sum: 0, count: 0 };
  /** The lowest bucket mean of each of the last BASELINE_MINUTES minutes (the newest last). */
  const minutes: Array<{ minute: number; lowest: number }> = [];
  const remember = (bucket: { sum: number; count: number }, at: number) => {
    if (bucket.count < LATENCY_MIN_SAMPLES / 2) return;
    const mean = bucket.sum / bucket.count;
    const minute = Math.floor(at / 60_000);
    const last = minutes.at(-1);
    if (last?.minute === minute) last.lowest = Math.min(last.lowest, mean);
    else minutes.push({ minute, lowest: mean });
    while (minutes.length && minutes[0]!.minute <= minute - BASELINE_MINUTES) minutes.shift();
  };
  const rotate = (now: number) => {
    if (now - bucketStart < windowMs) return;
    remember(current, bucketStart);
    // One window on: the current becomes the previous; two or more: both are old.
    previous = now - bucketStart < 2 * windowMs ? current : { sum: 0, count: 0 };
    current = { sum: 0, count: 0 };
    bucketStart = now;
  };
  return {
    add(value: number) {
      rotate(clock());
      current.sum += value;
      current.count++;
    },
    mean(): number {
      rotate(clock());
      const count = current.count + previous.count;
      return count ? (current.sum + previous.sum) / count : 0;
    },
    /** The usual mean (see BASELINE_FACTOR); 0 before there is one. */
    baseline(): number {
      return minutes.length ? Math.min(...minutes.map((m) => m.lowest)) : 0;
    },
    /**
     * How far the mean is over the bound (or the usual mean's multiple), as a share of it: 0.5 is half
     * again. 0 without enough values in the window to judge, or before there is a usual mean (the first
     * busy half second after a start).
     */
    overBy(bound: number): number {
      if (current.count + previous.count < LATENCY_MIN_SAMPLES || minutes.length === 0) return 0;
      const limit = Math.max(bound, BASELINE_FACTOR * this.baseline());
      return Math.max(0, this.mean() / limit - 1);
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
