import { afterAll, beforeAll, expect } from 'vitest';
import type { Services } from '../../services';
import { assignedBooking } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';
import { startStandins } from '../../test/standins';
import { createLedgerRepo } from '../ledger/ledger.repo';

type Standins = Awaited<ReturnType<typeof startStandins>>;

/**
 * For one describe block: a test server behind the payment gateways' local stand-ins (their webhooks
 * aimed at it), started before the block's tests; after them, the ledger must balance (every journal and
 * every account's total sums to zero per currency).
 */
export function serverWithGateways(): { readonly server: TestServer; readonly gw: Standins } {
  const rig = {} as { server: TestServer; gw: Standins };
  beforeAll(async () => {
    rig.gw = await startStandins();
    rig.server = await startTestServer(rig.gw.env);
    rig.gw.webhooksTo(rig.server.url);
  });
  afterAll(async () => {
    if (rig.server) {
      const repo = createLedgerRepo(rig.server.database.db);
      expect(await repo.unbalanced()).toEqual([]);
      for (const t of await repo.totals()) expect(t.sum).toBe(0);
    }
    await rig.server?.close();
    await rig.gw?.close();
  });
  return rig;
}

/** A booking run to `completed` through the real booking service (fixtures + the technician's steps). */
export async function completedBooking(services: Services, opts: Parameters<typeof assignedBooking>[1] = {}) {
  const a = await assignedBooking(services, opts);
  await arriveAndStart(services, a);
  await services.bookings.advance(a.booking.id, a.technician.user, 'completed');
  return a;
}

export async function arriveAndStart(services: Services, a: Awaited<ReturnType<typeof assignedBooking>>) {
  const tech = a.technician.user;
  await services.bookings.advance(a.booking.id, tech, 'en_route');
  await services.bookings.advance(a.booking.id, tech, 'arrived', { confirmFar: true });
  await services.bookings.advance(a.booking.id, tech, 'in_progress');
}
