import { DomainError } from './errors';

export type AdmissionConfig = {
  /** Work of this kind running at once; past it, new work is refused at once instead of queueing. */
  maxInFlight: number;
  /** Work queued behind it elsewhere (e.g. bookings waiting for a dispatch round) that also says "full". */
  maxBacklog: number;
  /** What the refusal tells the client to wait (a random spread up to twice this, so retries don't align). */
  retryAfterSeconds: number;
};

/**
 * Admission control for work that starts more work (issue 18 §3). Past the knee, accepting everything
 * makes every request slower together until nothing finishes in time; refusing new work early, with
 * TOO_MANY_REQUESTS and a Retry-After, keeps what was admitted fast and the completed rate near the peak.
 * A concurrency limit rather than a rate limit: when the machine is slow (PostgreSQL busy, CPU shared)
 * each request takes longer, more are in flight at once, and the limit bites sooner by itself.
 */
export function createAdmission(
  name: string,
  config: AdmissionConfig,
  backlog: () => number = () => 0,
  random: () => number = Math.random,
) {
  let inFlight = 0;
  let shed = 0;
  let admitted = 0;
  return {
    /** Admits one unit of work (call the returned release when it is done) or throws OVERLOADED. */
    enter(): () => void {
      if (inFlight >= config.maxInFlight || backlog() >= config.maxBacklog) {
        shed++;
        const retryAfterSeconds = Math.max(1, Math.round(config.retryAfterSeconds * (1 + random())));
        throw new DomainError('OVERLOADED', `Fundi is very busy right now (${name}). Trying again shortly.`, {
          retryAfterSeconds,
        });
      }
      inFlight++;
      admitted++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    stats: () => ({ inFlight, admitted, shed, backlog: backlog() }),
  };
}

export type Admission = ReturnType<typeof createAdmission>;
