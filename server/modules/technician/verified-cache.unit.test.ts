import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalRateLimiter } from '../../lib/rate-limit';
import type { TechnicianRepo } from './technician.repo';
import { createTechnicianService } from './technician.service';

/** tracking.update's verification check, on a stub repository whose answer the test changes. */
function setup() {
  let verification = 'verified';
  const reads: Array<() => void> = [];
  const profile = vi.fn(
    () =>
      new Promise((resolve) => {
        // Held until the test lets it answer, with the status of that moment.
        reads.push(() => resolve({ profile: { verification } }));
      }),
  );
  const ingested: string[] = [];
  const accept = (id: string) => {
    ingested.push(id);
    return { accepted: 1 as const, rejected: 0 as const, reason: null };
  };
  const service = createTechnicianService({
    repo: { profile } as unknown as TechnicianRepo,
    tracking: {
      ingest: () => ({ accepted: 1, rejected: 0, reason: null }),
      ingestFixes: accept,
      ingestFix: accept,
      changed: async () => {},
      lastPosition: () => undefined,
    },
    presence: { wentOnline: () => {}, isPresent: () => true },
    fixLimiter: createLocalRateLimiter({ limit: 1000, windowMs: 60_000 }),
    onAvailable: () => {},
  });
  const fix = () => ({
    points: [{ lat: 6.5, lng: 3.4, recordedAt: new Date(Date.now()).toISOString() }],
  });
  const answerReads = () => {
    for (const r of reads.splice(0)) r();
  };
  return {
    service,
    profile,
    ingested,
    fix,
    answerReads,
    suspend: () => {
      verification = 'suspended';
    },
  };
}

describe('tracking.update: the verification it trusts from memory', () => {
  afterEach(() => vi.useRealTimers());

  it('is read again in the background before it lapses, so steady fixes never wait, and a suspension still stops them within the 30 s', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 30, 12), toFake: ['Date'] });
    const t = setup();
    // First call: nothing known, so the call waits for the read.
    const first = t.service.trackingUpdateNow('tech-1', t.fix());
    expect(first).toBeInstanceOf(Promise);
    t.answerReads();
    await first;
    expect(t.profile).toHaveBeenCalledTimes(1);

    // Within the first 20 s: answered at once from memory, nothing read.
    vi.setSystemTime(Date.now() + 15_000);
    expect(t.service.trackingUpdateNow('tech-1', t.fix())).not.toBeInstanceOf(Promise);
    expect(t.profile).toHaveBeenCalledTimes(1);

    // In the last 10 s: still answered at once, and read again behind it (once, however many calls).
    vi.setSystemTime(Date.now() + 10_000);
    t.suspend();
    expect(t.service.trackingUpdateNow('tech-1', t.fix())).not.toBeInstanceOf(Promise);
    expect(t.service.trackingUpdateNow('tech-1', t.fix())).not.toBeInstanceOf(Promise);
    expect(t.profile).toHaveBeenCalledTimes(2);
    t.answerReads();
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => t.service.trackingUpdateNow('tech-1', t.fix())).toThrow(/suspended/);
    expect(t.ingested).toHaveLength(4);
    expect(t.profile).toHaveBeenCalledTimes(2);
  });
});
