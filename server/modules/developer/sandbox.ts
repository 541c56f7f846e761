import type { Db } from '../../../db/client';
import { DomainError, pgErrorCode } from '../../lib/errors';
import { log } from '../../lib/log';
import type { BookingLifecycle } from '../booking/booking.lifecycle';
import type { BookingRecords } from '../booking/booking.records';
import type { BookingService } from '../booking/booking.service';
import type { Leader } from '../cluster/leader';
import type { TrackingService } from '../tracking/tracking.service';
import { createSandboxRepo } from './sandbox.repo';

export type SandboxConfig = {
  /** How long the simulated technician "thinks" before accepting (~2 s). */
  acceptAfterMs: number;
  /** The pace of everything after: one location fix, or one status step, per step. */
  stepMs: number;
};

/** Fixes sent on the way to the pin (the drive lasts DRIVE_FIXES steps). */
export const DRIVE_FIXES = 12;
/** The simulated drive's speed: 25 m/s (90 km/h), well under the fix filter's plausibility limit. */
const SPEED_MPS = 25;
const M_PER_DEG_LAT = 111_320;

/** Where the drive starts: `meters` south-west of the pin (bearing 225°), as in scripts/simulate.ts' grid. */
export function offsetFrom(at: { lat: number; lng: number }, meters: number) {
  const d = meters / Math.SQRT2;
  return {
    lat: at.lat - d / M_PER_DEG_LAT,
    lng: at.lng - d / (M_PER_DEG_LAT * Math.cos((at.lat * Math.PI) / 180)),
  };
}

/**
 * Test mode (issue 17 §3): bookings made with an `fk_test_` key are never offered to real technicians
 * (dispatch skips them); a simulated technician run here takes each one through the normal paths instead:
 * it accepts after ~2 s (the lifecycle, so history, `booking.events` and webhooks happen as for any job),
 * drives towards the pin sending fixes through the tracking pipeline (so `tracking.watch` follows it),
 * then arrives, starts and completes at an accelerated pace.
 */
export function createSandboxDriver(deps: {
  db: Db;
  lifecycle: BookingLifecycle;
  bookings: () => BookingService;
  /** The booking module's reads and row locks, inside the driver's transactions. */
  bookingRecords: Pick<BookingRecords, 'row' | 'withParties'>;
  tracking: Pick<TrackingService, 'ingest' | 'reposition'>;
  leader: Leader;
  config: SandboxConfig;
}) {
  const { db, config } = deps;
  const repo = createSandboxRepo(db);
  const driving = new Map<string, Promise<void>>();
  let stopped = true;
  const wake = new Set<() => void>();

  /** Waits `ms`, or less if the driver stops (then false). */
  function sleep(ms: number) {
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(t);
        wake.delete(done);
        resolve(!stopped);
      };
      const t = setTimeout(done, ms);
      t.unref();
      wake.add(done);
    });
  }

  /** An idle simulated technician, or a new one; assigns it in one transaction (the lifecycle's). */
  async function assign(bookingId: string) {
    for (let attempt = 1; ; attempt++) {
      const tech = (attempt === 1 && (await repo.idleTechnician())) || (await repo.createTechnician());
      try {
        const change = await db.transaction(async (tx) => {
          const withParties = await deps.bookingRecords.withParties(bookingId, { tx, forUpdate: true });
          if (withParties?.booking.status !== 'searching' || !withParties.booking.sandbox) return null;
          return deps.lifecycle.transition(
            tx,
            withParties,
            'assigned',
            { id: tech.id, role: 'technician' },
            null,
            {
              technicianId: tech.id,
            },
          );
        });
        if (!change) return null;
        deps.lifecycle.publish(change);
        return { tech, location: change.booking.location };
      } catch (e) {
        // Another sandbox job took that technician meanwhile (one active job each): make a new one.
        const pg = pgErrorCode(e);
        if (pg.code !== '23505' || attempt >= 3) throw e;
      }
    }
  }

  async function drive(bookingId: string, startAt: 'searching' | 'resume') {
    const row = await deps.bookingRecords.row(bookingId);
    if (!row?.sandbox) return;
    let tech: { id: string; role: 'technician' | 'customer' | 'admin' };
    let pin = row.location;
    let status = row.status;
    if (status === 'searching') {
      if (startAt === 'searching' && !(await sleep(config.acceptAfterMs))) return;
      const assigned = await assign(bookingId);
      if (!assigned) return;
      tech = assigned.tech;
      pin = assigned.location;
      status = 'assigned';
    } else if (row.technicianId) {
      tech = { id: row.technicianId, role: 'technician' };
    } else return;
    const bookings = deps.bookings();
    const step = async (to: 'en_route' | 'arrived' | 'in_progress' | 'completed') => {
      if (!(await sleep(config.stepMs))) return false;
      await bookings.advance(bookingId, tech, to);
      status = to;
      return true;
    };
    if (status === 'assigned' && !(await step('en_route'))) return;
    if (status === 'en_route') {
      const from = offsetFrom(pin, SPEED_MPS * (config.stepMs / 1000) * DRIVE_FIXES);
      // A reused simulated technician was last seen at another job: it starts afresh here.
      deps.tracking.reposition(tech.id);
      for (let i = 1; i <= DRIVE_FIXES; i++) {
        if (!(await sleep(config.stepMs))) return;
        const f = i / DRIVE_FIXES;
        deps.tracking.ingest(tech.id, [
          {
            lat: from.lat + (pin.lat - from.lat) * f,
            lng: from.lng + (pin.lng - from.lng) * f,
            recordedAt: new Date().toISOString(),
            accuracy: 8,
            heading: 45,
            speed: i === DRIVE_FIXES ? 0 : SPEED_MPS,
          },
        ]);
      }
      if (!(await step('arrived'))) return;
    }
    if (status === 'arrived' && !(await step('in_progress'))) return;
    if (status === 'in_progress') await step('completed');
  }

  function start(bookingId: string, from: 'searching' | 'resume' = 'searching') {
    if (stopped || driving.has(bookingId)) return;
    const run = drive(bookingId, from)
      .catch((e) => {
        // Cancelled (or changed) by the integrator meanwhile: the simulated technician just stops.
        if (e instanceof DomainError && (e.code === 'CONFLICT' || e.code === 'NOT_FOUND')) return;
        log.error('sandbox: driving a booking failed', { bookingId, error: (e as Error).message });
      })
      .finally(() => driving.delete(bookingId));
    driving.set(bookingId, run);
  }

  return {
    /** A sandbox booking was created: its simulated technician takes it from here. */
    drive: (bookingId: string) => start(bookingId),
    /** Sandbox bookings being driven by this node. */
    active: () => driving.size,

    async start() {
      stopped = false;
      // After a restart, open sandbox bookings carry on (one node resumes them).
      await deps.leader.runOnce('sandbox-resume', 60_000, async () => {
        for (const id of await repo.openBookings()) start(id, 'resume');
      });
    },
    async stop() {
      stopped = true;
      for (const w of [...wake]) w();
      await Promise.allSettled([...driving.values()]);
    },
  };
}

export type SandboxDriver = ReturnType<typeof createSandboxDriver>;
