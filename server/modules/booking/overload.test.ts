import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmission } from '../../lib/admission';
import { customer, serviceId, sleep, uniqueSpot } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';

/** Issue 18 §3: past what it can do well, booking.create is refused early with 429 + Retry-After. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHED_CREATES_IN_FLIGHT: '2', SHED_RETRY_AFTER_SECONDS: '1' });
});
afterAll(() => server.close());

async function create(token: string, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/trpc/booking.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as {
    result?: { data: { id: string } };
    error?: { data: Record<string, unknown> };
  };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json };
}

/**
 * An admission gate with a 100 ms latency bound on a clock of the test's own (`clock.now`), whose random
 * source gives `clock.draw`; `halfSecond(n, ms)`: `n` creates run at once, each taking `ms`, and the clock
 * moves to the next half second.
 */
function latencyGate() {
  const clock = { now: 0, draw: 0 };
  const gate = createAdmission(
    'test',
    { maxInFlight: 1000, maxBacklog: 1000, retryAfterSeconds: 2, maxLatencyMs: 100 },
    {},
    () => clock.draw,
    () => clock.now,
  );
  const halfSecond = (n: number, ms: number) => {
    const start = clock.now;
    const done = Array.from({ length: n }, () => gate.enter());
    clock.now += ms;
    for (const d of done) d();
    clock.now = start + 500;
  };
  return { gate, clock, halfSecond };
}

describe('overload shedding', () => {
  it('30 bookings at once with room for 2 in flight: the rest get 429, Retry-After and nothing stored; a retry goes through', async () => {
    const svc = server.services;
    const sid = await serviceId(svc);
    const spot = uniqueSpot();
    const people = await Promise.all(Array.from({ length: 30 }, () => customer(svc)));
    const requests = people.map((p) => ({
      token: p.token,
      body: { serviceId: sid, ...spot, address: '1 Busy Street, Yaba', idempotencyKey: randomUUID() },
    }));
    const answers = await Promise.all(requests.map((r) => create(r.token, r.body)));
    const ok = answers.filter((a) => a.status === 200);
    const shed = answers.filter((a) => a.status === 429);
    expect(ok.length + shed.length).toBe(30);
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(shed.length).toBeGreaterThan(0);
    for (const a of shed) {
      expect(a.json.error?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'OVERLOADED' });
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.json.error?.data.details).toEqual({ retryAfterSeconds: Number(a.retryAfter) });
    }
    // Nothing was stored for a refused call: the customer's list is empty.
    const refused = requests.filter((_, i) => answers[i]!.status === 429);
    const first = people[requests.indexOf(refused[0]!)]!;
    expect((await svc.bookings.list(first.user, {})).items).toHaveLength(0);
    // Retried one at a time after the wait, with the same keys: all go through, once each.
    await sleep(Number(shed[0]!.retryAfter) * 1000);
    for (const r of refused) expect((await create(r.token, r.body)).status).toBe(200);
    expect((await svc.bookings.list(first.user, {})).items).toHaveLength(1);
  });

  it('admission counts work in flight and a backlog elsewhere, and releases once', () => {
    let backlog = 0;
    let loopDelay = 0;
    const gate = createAdmission(
      'test',
      { maxInFlight: 2, maxBacklog: 5, retryAfterSeconds: 2, maxLoopDelayMs: 30 },
      { backlog: () => backlog, loopDelayMs: () => loopDelay },
      () => 0,
    );
    const a = gate.enter();
    const b = gate.enter();
    expect(() => gate.enter()).toThrowError(/busy/);
    a();
    a(); // a second release changes nothing
    const c = gate.enter();
    expect(() => gate.enter()).toThrowError(/busy/);
    b();
    c();
    backlog = 5;
    expect(() => gate.enter()).toThrowError(/busy/);
    backlog = 0;
    gate.enter()();
    // A saturated event loop refuses too, and admits again once it is back under the bound.
    loopDelay = 31;
    expect(() => gate.enter()).toThrowError(/busy/);
    loopDelay = 30;
    gate.enter()();
    expect(gate.stats()).toMatchObject({ inFlight: 0, admitted: 5, shed: 4 });
  });

  it('admission refuses while the work it admitted lately finished slowly, and admits again once that has drained', () => {
    let now = 0;
    const gate = createAdmission(
      'test',
      { maxInFlight: 100, maxBacklog: 100, retryAfterSeconds: 2, maxLatencyMs: 50 },
      {},
      () => 0,
      () => now,
    );
    // Fast work: admitted whatever the rate. Its first busy half second sets the usual duration.
    for (let i = 0; i < 5; i++) {
      const done = gate.enter();
      now += 10;
      done();
    }
    now = 500;
    expect(gate.stats()).toMatchObject({ latencyMs: 10, usualLatencyMs: 10 });
    // Slow work (the database queueing): the mean of the last window or two goes past the bound.
    const slow = [gate.enter(), gate.enter(), gate.enter()];
    now += 200;
    for (const done of slow) done();
    expect(gate.stats().latencyMs).toBeGreaterThan(50);
    expect(() => gate.enter()).toThrowError(/busy/);
    // Nothing admitted for two windows: the old figures are gone and work is admitted (and measured) again.
    now += 1_001;
    expect(gate.stats().latencyMs).toBe(0);
    gate.enter()();
    // A quiet hour: one slow booking is no rush, and the next one is admitted.
    now += 1_001;
    const lone = gate.enter();
    now += 5_000;
    lone();
    expect(gate.stats().latencyMs).toBe(5_000);
    gate.enter()();
    expect(gate.stats()).toMatchObject({ inFlight: 0, admitted: 11, shed: 1 });
  });

  it('admission over the latency bound refuses a share of new work, the larger the further over', () => {
    const { gate, clock, halfSecond } = latencyGate();
    halfSecond(10, 10); // the usual duration: 10 ms
    // A fifth over the bound: a draw under 0.2 is refused, one above is admitted (and measured).
    halfSecond(10, 120);
    clock.now -= 1;
    expect(gate.stats().latencyMs).toBeCloseTo(65, 0);
    halfSecond(10, 120);
    clock.now -= 1;
    expect(gate.stats().latencyMs).toBeCloseTo(120, 0);
    clock.draw = 0.19;
    expect(() => gate.enter()).toThrowError(/busy/);
    clock.draw = 0.21;
    gate.enter()();
    // Twice the bound: everything is refused, whatever the draw.
    clock.now += 1;
    halfSecond(10, 300);
    clock.now -= 1;
    clock.draw = 0.99;
    expect(gate.stats().latencyMs).toBeGreaterThan(200);
    expect(() => gate.enter()).toThrowError(/busy/);
    expect(gate.stats().shed).toBe(2);
  });

  it('admission judges the create latency against its usual value too: a database a region away is slow at any load', () => {
    const { gate, halfSecond } = latencyGate();
    // 20 creates a second, 300 ms each: three times the bound, and never refused.
    for (let i = 0; i < 10; i++) halfSecond(10, 300);
    expect(gate.stats()).toMatchObject({ shed: 0, usualLatencyMs: 300 });
    // The same database saturated: five times its usual duration is refused.
    halfSecond(10, 1_500);
    expect(gate.stats().latencyMs).toBeGreaterThan(4 * 300);
    expect(() => gate.enter()).toThrowError(/busy/);
    expect(gate.stats().shed).toBe(1);
  });
});
