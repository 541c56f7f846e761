import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../../../db/client';
import type { BookingRow, UserRow } from '../../../db/schema';

/** Work a caller adds to a status change's own transaction, after the change. */
export type InTx = (tx: DbOrTx, changed: Change) => Promise<void>;

/** Who is asking: enough of a user to authorise (the session's whole user row saves reads). */
type Caller = Pick<UserRow, 'id' | 'role'> & Partial<Pick<UserRow, 'name' | 'phone'>>;

import { type Actor, canTransition, DISPUTE_WINDOW_MS } from '#shared/booking';
import { distanceMeters } from '#shared/geo';
import type {
  Booking,
  BookingEvent,
  BookingHistoryEntry,
  BookingPage,
  createBookingInput,
  Quote,
  quoteInput,
} from '../../contracts/booking';
import type { Admission } from '../../lib/admission';
import { decodeCursor, encodeCursor, pageOf } from '../../lib/cursor';
import { DomainError } from '../../lib/errors';
import { etaSeconds } from '../../lib/eta';
import { money, priceJob } from '../../lib/money';
import type { RateLimiter } from '../../lib/rate-limit';
import { type Bus, channels } from '../../realtime/bus';
import { streamEvent } from '../../realtime/feed';
import type { CatalogService } from '../catalog/catalog.service';
import type { DispatchService } from '../dispatch/dispatch.service';
import type { MarketService } from '../market/market.service';
import type { PaymentsService } from '../payments/payments.service';
import { rethrowSlotTaken, type ScheduleService } from '../schedule/schedule.service';
import type { ActorRef, BookingLifecycle, Change, PublishedBookingEvent } from './booking.lifecycle';
import { HANDED_BACK, type TechnicianStep } from './booking.machine';
import { toBooking, toHistoryEntry } from './booking.output';
import { type BookingWithParties, createBookingRepo, type NearFix } from './booking.repo';
import { surchargeLines, type ZoneSurcharge } from './zone-surcharge';

type Deps = {
  db: Db;
  bus: Bus;
  catalog: CatalogService;
  lifecycle: BookingLifecycle;
  dispatch: DispatchService;
  /** Working hours and reservations (issue 12 §5): booking a chosen technician for later holds their slot. */
  schedule: Pick<ScheduleService, 'reserve'>;
  /** Which market a pin is in (its catalogue, currency and commission). */
  markets: MarketService;
  /** The market zone with a surcharge that a pin is in (issue 13 §2), from memory. */
  zoneAt: (market: string, at: { lat: number; lng: number }) => Promise<ZoneSurcharge | null>;
  /** Refuses a customer who must verify their phone first in this market (issue 11 §3). */
  mayBook: (customerId: string, market: string) => Promise<void>;
  /** Money hooks (issue 10), run inside the booking's own transactions. */
  billing: Pick<PaymentsService, 'assertCanBook' | 'onCompleted' | 'onCancelled'>;
  /** Test mode (issue 17 §3): a sandbox booking's simulated technician takes it instead of dispatch. */
  sandbox: { drive(bookingId: string): void };
  /** Admission of new bookings (refused with OVERLOADED past the knee, before the machine thrashes). */
  admission: Admission;
  /** New bookings per customer (BOOKING_CREATE_LIMIT per window): create/cancel churn floods technicians. */
  createLimiter: RateLimiter;
  /** Cancellations per customer (BOOKING_CANCEL_LIMIT per window), the other half of the churn. */
  cancelLimiter: RateLimiter;
  config: {
    maxOpenBookings: number;
    dispatch: { radiusMeters: number };
    arrivalRadiusMeters: number;
  };
  /** The technician's newest accepted fix (epoch ms), from the live pipeline: for the arrival check. */
  lastPosition: (technicianId: string) => { lat: number; lng: number; recordedAt: number } | undefined;
  /** Available technicians for a service around a point, from the live index. */
  available: (
    serviceId: string,
    at: { lat: number; lng: number },
    radiusMeters: number,
    /** A scheduled job's time: only technicians at work then (issue 12 §5); default now. */
    when?: Date,
  ) => { count: number; nearestMeters: number | null; ownPrices: number[]; listPriced: number };
};

/**
 * What a quote says of the nearest technician: the distance rounded up to QUOTE_DISTANCE_STEP_M and the ETA
 * of that (issue 15 §3: metre-exact distances from three pins triangulated a technician to 11 m).
 */
export const QUOTE_DISTANCE_STEP_M = 500;
export function nearestBand(meters: number) {
  const rounded = Math.max(
    QUOTE_DISTANCE_STEP_M,
    Math.ceil(meters / QUOTE_DISTANCE_STEP_M) * QUOTE_DISTANCE_STEP_M,
  );
  return { distanceMeters: rounded, etaSeconds: etaSeconds(rounded) };
}

/** A fix newer than this says where the technician is now; an older one proves nothing about "arrived". */
export const ARRIVAL_FIX_FRESH_MS = 2 * 60_000;

/** "850 m", "1.2 km": for messages and history rows (the client words its own from the metres). */
const formatDistance = (m: number) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);

/** Canonical JSON of what was asked, so a retried key can be told apart from a reused one. */
function requestHash(
  input: Omit<z.output<typeof createBookingInput>, 'idempotencyKey'> & { sandbox?: true },
): string {
  const canonical = JSON.stringify(
    Object.entries(input)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export function createBookingService({
  db,
  bus,
  catalog,
  lifecycle,
  dispatch,
  config,
  available,
  lastPosition,
  admission,
  markets,
  schedule,
  zoneAt,
  billing,
  createLimiter,
  cancelLimiter,
  mayBook,
  sandbox: sandboxDriver,
}: Deps) {
  const repo = createBookingRepo(db);

  /** In which role `user` may touch a booking; NOT_FOUND for anyone else (existence never leaks). */
  function roleOn(b: { customerId: string; technicianId: string | null } | undefined, user: Caller): Actor {
    if (b) {
      if (user.role === 'admin') return 'admin';
      if (b.customerId === user.id) return 'customer';
      if (b.technicianId === user.id) return 'technician';
    }
    throw new DomainError('NOT_FOUND', 'Booking not found.');
  }

  /** The booking as `user` may see it, and in which role. */
  async function load(id: string, user: Caller): Promise<{ withParties: BookingWithParties; as: Actor }> {
    const withParties = await repo.withParties(id);
    const as = roleOn(withParties?.booking, user);
    return { withParties: withParties!, as };
  }

  const price = (
    s: Parameters<typeof priceJob>[0],
    emergency: boolean,
    commissionBps: number,
    zone: ZoneSurcharge | null = null,
  ) => priceJob(s, { emergency, commissionBps, zonePct: zone?.pct });

  /**
   * The service, checked against the market the job's pin is in (issue 13: the market follows the job):
   * a pin outside every market is OUT_OF_AREA, a service from another market's price list WRONG_MARKET.
   */
  async function serviceAt(serviceId: string, at: { lat: number; lng: number }) {
    const [s, m] = await Promise.all([catalog.requireService(serviceId), markets.require(at)]);
    if (s.market !== m.slug) {
      throw new DomainError(
        'WRONG_MARKET',
        `This price list is not ${m.nameEn}'s, where the job is. Choose the service from ${m.nameEn}'s list.`,
        { market: m.slug },
      );
    }
    const zone = await zoneAt(m.slug, at);
    return { s, commissionBps: m.commissionBps, zone };
  }

  /** What a status change does, decided from the booking (or, for a technician's step, before it). */
  type Decision = {
    to: Booking['status'];
    actor: ActorRef;
    reason: string | null;
    patch?: Parameters<BookingLifecycle['transition']>[5];
    /** Completion of an hourly job: the minutes the technician bills (fewer than worked, or none). */
    billedMinutes?: number | undefined;
  };

  /**
   * Runs one status change in one transaction: the booking with its parties read and locked (`user`
   * authorised on it), the decision, the conditional update and its history row (or a technician's step
   * as one statement that checks itself, see `step`); then publishes the new booking with its parties,
   * which is also the answer (no re-read).
   */
  async function change(
    id: string,
    user: Caller,
    decide: (row: BookingWithParties['booking'], as: Actor) => Decision,
    /** A check on the locked booking with its parties, once the caller's role is known. */
    guard?: (current: BookingWithParties, as: Actor) => void,
    /** What else commits with the change (an admin's audit row, a dispute case: issue 14). */
    also?: InTx,
    /**
     * A technician's own step, decided already: tried first as one statement that checks itself
     * (lifecycle `technicianStep`); when the booking is not as it needs, the general path below decides.
     */
    step?: Decision & { to: TechnicianStep; near?: NearFix | undefined },
  ): Promise<Booking> {
    const done = await db.transaction(async (tx) => {
      const stepped = step && (await lifecycle.technicianStep(tx, id, user.id, step.to, step.near));
      let d: Decision;
      let changed: Change;
      let before: BookingRow | undefined;
      if (step && stepped) {
        d = step;
        changed = stepped;
      } else {
        const withParties = await createBookingRepo(tx).withParties(id, { forUpdate: true });
        const as = roleOn(withParties?.booking, user);
        guard?.(withParties!, as);
        d = decide(withParties!.booking, as);
        changed = await lifecycle.transition(tx, withParties!, d.to, d.actor, d.reason, d.patch);
        before = withParties!.booking;
      }
      // The bill (or a late cancellation's fee) and its ledger journal commit with the change, or not at all.
      // A sandbox (test-mode) booking moves no money and writes nothing to the ledger.
      const bills = !changed.booking.sandbox;
      if (bills && d.to === 'completed')
        await billing.onCompleted(
          tx,
          { booking: changed.booking, service: changed.withParties.service },
          { technicianMinutes: d.billedMinutes ?? null },
        );
      if (bills && d.to === 'cancelled' && before) await billing.onCancelled(tx, before, d.actor.role);
      await also?.(tx, changed);
      return changed;
    });
    return lifecycle.publish(done);
  }

  async function createAdmitted(
    customer: Caller,
    input: z.output<typeof createBookingInput>,
    sandbox: boolean,
  ) {
    const { idempotencyKey, ...request } = input;
    // A test-mode booking never matches a live one's key (live hashes are as they always were).
    const hash = requestHash(sandbox ? { ...request, sandbox: true } : request);
    // Read before the transaction: inside it, every query must use the transaction's own connection.
    const { s, commissionBps, zone } = await serviceAt(input.serviceId, input);
    await mayBook(customer.id, s.market);
    const result = await db.transaction(async (tx) => {
      const r = createBookingRepo(tx);
      // Sent together, one round trip (issue 18 §2): PostgreSQL runs them in order on this transaction's
      // connection, so each read after the lock takes its snapshot with the lock held. The first to fail
      // (the lock, then an unpaid bill) is the answer, as when they were awaited one by one.
      const [, , offered, { existing, open }] = await Promise.all([
        r.lockCustomer(customer.id),
        billing.assertCanBook(customer.id, tx),
        input.technicianId ? r.offersService(input.technicianId, s.id) : true,
        r.admission(customer.id, idempotencyKey),
      ]);
      if (!offered) throw new DomainError('NOT_FOUND', 'That technician does not offer this service.');
      if (existing) {
        if (existing.requestHash !== hash) {
          throw new DomainError('CONFLICT', 'This idempotency key was already used for a different booking.');
        }
        return { id: existing.id, created: null };
      }
      // Counted only for a new booking: a retried key (the PWA's outbox) is not another attempt.
      if (!(await createLimiter.hit(customer.id))) {
        throw new DomainError('RATE_LIMITED', 'Too many new bookings in a short time. Wait a minute.', {
          retryAfterSeconds: createLimiter.windowSeconds,
        });
      }
      if (open >= config.maxOpenBookings) {
        throw new DomainError(
          'CONFLICT',
          `You already have ${config.maxOpenBookings} open bookings. Finish or cancel one first.`,
        );
      }
      const p = price(s, input.emergency ?? false, commissionBps, zone);
      const scheduledFor = input.scheduledFor ? new Date(input.scheduledFor) : null;
      // A chosen technician's slot is held from now on, with the drive to it (issue 12 §5).
      const hold =
        input.technicianId && scheduledFor
          ? await schedule.reserve(tx, {
              technicianId: input.technicianId,
              location: { lat: input.lat, lng: input.lng },
              start: scheduledFor,
              end: new Date(scheduledFor.getTime() + s.durationMinutes * 60_000),
            })
          : {};
      const inserted = await r.insertWithHistory(
        {
          ...hold,
          customerId: customer.id,
          serviceId: s.id,
          location: { lat: input.lat, lng: input.lng },
          address: input.address,
          addressDetails: input.addressDetails ?? null,
          notes: input.notes ?? null,
          siteContactName: input.siteContact?.name ?? null,
          siteContactPhone: input.siteContact?.phone ?? null,
          scheduledFor,
          scheduledEnd: scheduledFor ? new Date(scheduledFor.getTime() + s.durationMinutes * 60_000) : null,
          emergency: input.emergency ?? false,
          currency: s.currency,
          priceBase: p.base,
          priceSurcharge: p.surcharge,
          priceTotal: p.total,
          commission: p.commission,
          technicianEarnings: p.earnings,
          zoneSurcharge: zone,
          commissionBps,
          preferredTechnicianId: input.technicianId ?? null,
          fallbackToNearest: input.fallbackToNearest ?? true,
          paymentMethod: input.paymentMethod ?? 'cash',
          sandbox,
          idempotencyKey,
          requestHash: hash,
        },
        { id: customer.id, role: 'customer' },
      );
      if (!inserted)
        throw new DomainError('CONFLICT', 'A booking with this idempotency key is being created. Retry.');
      const { booking: row, history } = inserted;
      // The new booking with its parties from what is at hand (the caller is the customer): no read after
      // the write.
      const withParties: BookingWithParties = {
        booking: row,
        service: {
          id: s.id,
          nameEn: s.nameEn,
          nameAr: s.nameAr,
          durationMinutes: s.durationMinutes,
          market: s.market,
          priceUnit: s.priceUnit,
        },
        customer:
          customer.name !== undefined
            ? { id: customer.id, name: customer.name, phone: customer.phone ?? null }
            : (await r.customerPart(customer.id))!,
        technician: null,
        techProfile: null,
      };
      await lifecycle.recorded(tx, { withParties, history });
      return { id: row.id, created: { withParties, history } };
    });
    if (!result.created) return toBooking((await repo.withParties(result.id))!);
    const booking = lifecycle.publish(result.created);
    // A sandbox booking is never dispatched to real technicians: its simulated one takes it.
    if (sandbox) sandboxDriver.drive(result.id);
    else void dispatch.kick(result.id);
    return booking;
  }

  return {
    async quote(input: z.output<typeof quoteInput>): Promise<Quote> {
      const { s, commissionBps, zone } = await serviceAt(input.serviceId, input);
      const emergency = input.emergency ?? false;
      const m = (amount: number) => money(amount, s.currency);
      const chosen = input.technicianId
        ? await createBookingRepo(db).ownPrice(input.technicianId, s.id)
        : undefined;
      if (input.technicianId && !chosen)
        throw new DomainError('NOT_FOUND', 'That technician does not offer this service.');
      // Answered from the live in-memory index.
      const around = available(
        s.id,
        input,
        config.dispatch.radiusMeters,
        input.scheduledFor ? new Date(input.scheduledFor) : undefined,
      );
      // What those around would charge: their own unit prices, and the list price for the rest.
      const units = [...around.ownPrices, ...(around.listPriced > 0 ? [s.basePrice] : [])];
      const at = (unit: number) => price({ ...s, basePrice: unit }, emergency, commissionBps, zone);
      const totals = units.map((unit) => at(unit).total);
      // The headline: the chosen technician's price; else the lowest of those around ("from"); else the list.
      const p = chosen
        ? at(chosen.price ?? s.basePrice)
        : at(around.count > 0 && units.length ? Math.min(...units) : s.basePrice);
      return {
        priceRange: chosen
          ? { from: m(p.total), to: m(p.total) }
          : around.count > 0 && totals.length
            ? { from: m(Math.min(...totals)), to: m(Math.max(...totals)) }
            : null,
        price: {
          base: m(p.base),
          surcharge: m(p.surcharge),
          total: m(p.total),
          commission: m(p.commission),
          technicianEarnings: m(p.earnings),
          lines: surchargeLines({
            ...p,
            currency: s.currency,
            emergency,
            emergencyPct: s.emergencySurchargePct,
            zone,
          }),
        },
        availableTechnicians: around.count,
        nearest: around.nearestMeters === null ? null : nearestBand(around.nearestMeters),
      };
    },

    /**
     * Idempotent per (customer, key): a retry gets the same booking; a different payload is CONFLICT.
     * `organisation`: an organisation books (an API key): the technician will not meet the account's
     * owner, so the on-site contact is required.
     */
    async create(
      customer: Caller,
      input: z.output<typeof createBookingInput>,
      opts: { organisation?: boolean; sandbox?: boolean } = {},
    ): Promise<Booking> {
      const sandbox = opts.sandbox ?? false;
      // Test mode touches no real money: only cash (settled by nobody) until a sandbox gateway exists.
      if (sandbox && (input.paymentMethod ?? 'cash') !== 'cash')
        throw new DomainError(
          'VALIDATION',
          'Test-mode bookings are paid in cash only: no payment gateway is charged in test mode.',
          { field: 'paymentMethod' },
        );
      // Nor a real technician's time: choosing one would hold their slot for a job nobody will do.
      if (sandbox && input.technicianId)
        throw new DomainError('VALIDATION', 'Test-mode bookings cannot choose a technician.', {
          field: 'technicianId',
        });
      if (opts.organisation && !input.siteContact)
        throw new DomainError(
          'VALIDATION',
          'An organisation’s booking needs the on-site contact: siteContact { name, phone }.',
          { field: 'siteContact' },
        );
      const release = admission.enter();
      try {
        // A slot taken meanwhile (the reservations' exclusion constraint): CONFLICT, not a 500.
        return await createAdmitted(customer, input, sandbox).catch(rethrowSlotTaken);
      } finally {
        release();
      }
    },

    async get(id: string, user: Caller): Promise<Booking> {
      return toBooking((await load(id, user)).withParties);
    },

    async history(id: string, user: Caller): Promise<BookingHistoryEntry[]> {
      await load(id, user);
      return (await repo.history(id)).map(toHistoryEntry);
    },

    async list(
      user: Caller,
      input: { status?: Booking['status']; cursor?: string; limit?: number } | undefined,
      /** An API key lists its own mode's bookings only: a test key the sandbox's, a live key the rest. */
      opts: { sandbox?: boolean | undefined } = {},
    ): Promise<BookingPage> {
      const limit = input?.limit ?? 20;
      const before = decodeCursor(input?.cursor);
      const rows = await repo.list({
        customerId: user.role === 'customer' ? user.id : undefined,
        technicianId: user.role === 'technician' ? user.id : undefined,
        status: input?.status,
        sandbox: opts.sandbox,
        before,
        limit: limit + 1,
      });
      const { page, nextCursor } = pageOf(rows, limit, (last) =>
        encodeCursor(last.booking.createdAt, last.booking.id),
      );
      return { items: page.map(toBooking), nextCursor };
    },

    /**
     * Customer or admin: the booking is cancelled. The assigned technician, before starting: the job goes
     * back to dispatch for someone else.
     */
    async cancel(id: string, user: Caller, reason: string, also?: InTx): Promise<Booking> {
      // Every attempt by a customer counts (issue 15 §1); an admin's cancellation (`also`) never does.
      if (user.role === 'customer' && !also && !(await cancelLimiter.hit(user.id))) {
        throw new DomainError('RATE_LIMITED', 'Too many cancellations in a short time. Wait a minute.', {
          retryAfterSeconds: cancelLimiter.windowSeconds,
        });
      }
      let handBack = false;
      const booking = await change(
        id,
        user,
        (_row, as) => {
          handBack = as === 'technician';
          return handBack
            ? {
                to: 'searching',
                actor: { id: user.id, role: 'technician' },
                reason,
                // Their reservation goes with them (issue 12 §5).
                patch: { ...HANDED_BACK },
              }
            : { to: 'cancelled', actor: { id: user.id, role: as }, reason, patch: { cancelReason: reason } };
        },
        undefined,
        also,
      );
      if (handBack) {
        void dispatch.kick(id);
        // Free again: the nearest other booking waiting for someone is offered to them now.
        dispatch.onTechnicianAvailable(user.id);
      } else await dispatch.withdraw(id);
      return booking;
    },

    /**
     * The technician's next step. "Arrived" is checked against their newest location fix: a fresh one far
     * from the job is refused (ARRIVAL_FAR, with the distance) unless they confirm, and a confirmed far
     * arrival says so in the history. No fresh fix (GPS off, phone asleep) proves nothing: allowed as before.
     */
    async advance(
      id: string,
      user: Caller,
      to: 'en_route' | 'arrived' | 'in_progress' | 'completed',
      opts: { confirmFar?: boolean | undefined; billedMinutes?: number | undefined } = {},
    ) {
      const actor: ActorRef = { id: user.id, role: 'technician' };
      // A suspended technician works no job (issue 15 §3): their verification is read with the locked
      // booking (the view joins the assigned technician's profile), in the change's own transaction.
      const verified = (current: BookingWithParties, as: Actor) => {
        if (as === 'technician' && current.techProfile?.verification !== 'verified')
          throw new DomainError('FORBIDDEN_ROLE', 'Your account is not verified: you cannot work jobs.');
      };
      // An arrival is judged by the technician's newest fix when it is fresh; none proves nothing.
      const newest = to === 'arrived' ? lastPosition(user.id) : undefined;
      const fix = newest && newest.recordedAt >= Date.now() - ARRIVAL_FIX_FRESH_MS ? newest : undefined;
      // The step goes as one statement that checks itself (issue 18 §2), an arrival with a fix only within
      // the radius; a far one takes the general path below, which refuses or records it (at once when
      // confirmed: a confirmation follows a refusal, so the fix is far).
      const near = fix && { lat: fix.lat, lng: fix.lng, radiusMeters: config.arrivalRadiusMeters };
      const step =
        fix && opts.confirmFar
          ? undefined
          : { to, actor, reason: null, billedMinutes: opts.billedMinutes, near };
      return change(
        id,
        user,
        (row, as) => {
          if (as !== 'technician')
            throw new DomainError('FORBIDDEN_ROLE', 'Only the assigned technician can do this.');
          if (to === 'completed') return { to, actor, reason: null, billedMinutes: opts.billedMinutes };
          // An illegal move stays a plain CONFLICT (from the lifecycle), whatever the distance.
          if (to !== 'arrived' || !canTransition(row.status, to, 'technician'))
            return { to, actor, reason: null };
          if (!fix) return { to, actor, reason: null };
          const meters = distanceMeters(fix, row.location);
          if (meters <= config.arrivalRadiusMeters) return { to, actor, reason: null };
          if (!opts.confirmFar) {
            throw new DomainError(
              'ARRIVAL_FAR',
              `Your location is ${formatDistance(meters)} from the job. Confirm to mark it arrived anyway.`,
              { distanceMeters: Math.round(meters), radiusMeters: config.arrivalRadiusMeters },
            );
          }
          return {
            to,
            actor,
            reason: `Arrived ${formatDistance(meters)} from the job (confirmed by the technician)`,
          };
        },
        verified,
        undefined,
        step,
      );
    },

    async dispute(id: string, user: Caller, reason: string, also?: InTx) {
      return change(
        id,
        user,
        (row, as) => {
          if (as !== 'customer')
            throw new DomainError('FORBIDDEN_ROLE', 'Only the customer can dispute a booking.');
          if (
            row.status === 'completed' &&
            row.completedAt &&
            Date.now() - row.completedAt.getTime() > DISPUTE_WINDOW_MS
          ) {
            throw new DomainError('CONFLICT', 'Disputes are possible for 48 hours after completion.');
          }
          return {
            to: 'disputed',
            actor: { id: user.id, role: 'customer' },
            reason,
            patch: { disputeReason: reason },
          };
        },
        undefined,
        also,
      );
    },

    /**
     * Live status for the booking's participants: the current state first (unless the client already has
     * it), then every change, each tracked by its history id so a reconnect resumes without gaps.
     */
    async *events(
      id: string,
      user: Caller,
      lastEventId: string | null | undefined,
      signal: AbortSignal | undefined,
    ) {
      await load(id, user);
      const live = bus.subscribe<PublishedBookingEvent>(channels.booking(id), signal);
      await live.ready; // listening (on Redis too) before reading the backlog: nothing falls between
      // One snapshot, so the state sent is exactly the one its event ids name.
      const [withParties, history] = await db.transaction(
        async (tx) => {
          const r = createBookingRepo(tx);
          return [await r.withParties(id), await r.history(id)] as const;
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
      const latest = history.at(-1);
      let seen = latest ? latest.id : 0;
      if (withParties && latest && lastEventId !== String(latest.id)) {
        // Resuming (a reconnect, perhaps to another node): every change since the last one seen, in
        // order, each with the booking as it is now; a fresh subscription gets the current state.
        const after = Number(lastEventId);
        const missed = after > 0 ? history.filter((h) => h.id > after) : [];
        for (const h of missed.length ? missed : [latest]) {
          const event: BookingEvent = { booking: toBooking(withParties), change: toHistoryEntry(h) };
          yield streamEvent(String(h.id), event);
        }
      }
      for await (const e of live) {
        // Access is checked again on every event (issue 15 §3): a technician who handed the job back (or
        // anyone the booking no longer names) gets no further event, and the stream ends.
        const b = e.event.booking;
        const still =
          user.role === 'admin' || b.customer.id === user.id || (b.technician?.id ?? null) === user.id;
        if (!still) return;
        if (Number(e.id) <= seen) continue;
        seen = Number(e.id);
        yield streamEvent(e.id, e.event);
      }
    },
  };
}

export type BookingService = ReturnType<typeof createBookingService>;
