import type { Db, DbOrTx } from '../../../db/client';
import type { BookingRow, OfferRow, ServiceRow } from '../../../db/schema';
import type { LngLat } from '../../../db/schema/columns';
import type { Booking } from '../../contracts/booking';
import type { NotificationData } from '../../contracts/notification';
import type { Offer, OfferEvent } from '../../contracts/technician';
import { DomainError, pgErrorCode } from '../../lib/errors';
import { log } from '../../lib/log';
import { cutPrice, money, priceJob } from '../../lib/money';
import { type Bus, channels } from '../../realtime/bus';
import type { BookingLifecycle, Change } from '../booking/booking.lifecycle';
import type { BookingRecords } from '../booking/booking.records';
import type { Leader } from '../cluster/leader';
import type { PresenceService } from '../presence/presence.service';
import type { ScheduleService } from '../schedule/schedule.service';
import type { TechnicianRecords } from '../technician/technician.records';
import type { BookingChangeMessage } from '../tracking/tracking.service';
import { type Candidate, createDispatchRepo, type DispatchSignals } from './dispatch.repo';

export type DispatchConfig = {
  radiusMeters: number;
  offerWindowMs: number;
  /** How long an on-demand booking waits for someone to come online before it is unfulfilled. */
  searchWindowMs: number;
  sweepMs: number;
  scheduleLeadMs: number;
  /** Ratings as dispatch signals (the rating band, the customer floor). */
  signals: DispatchSignals;
};

/** Internal to the offers channel: streams re-check access; never sent to a client. */
type Recheck = { type: 'recheck' };

/** How many of the nearest (from memory) the database is asked to confirm before falling back to KNN. */
const MEMORY_CANDIDATES = 10;
/** Waiting bookings nearest a technician who just became free that are dispatched again at once. */
const FREED_KICKS = 3;
/** A booking searching this long goes before nearer ones when a technician near it is freed. */
const WAITED_LONG_MS = 20_000;
/** How long the offers stream trusts its last verification check without a recheck message. */
const RECHECK_MS = 60_000;
/**
 * Technicians reachable only by push (app closed, phone locked) are not among memory's proposals (it
 * proposes those present). One of them is offered first only when nearer than memory's best by more than
 * this: at similar distances the technician whose app is open, who answers sooner, goes first.
 */
const PUSH_ONLY_MARGIN_METERS = 1_000;

/** ~1 km: enough for "3 km away, near Yaba", not enough to find the door before accepting. */
const toHundredthDegree = (x: number) => Math.round(x * 100) / 100;

/** What this offer's technician would be paid: their own price when they have one, else the booking's. */
export function offerPrice(offer: Pick<OfferRow, 'priceBase'>, booking: BookingRow, service: ServiceRow) {
  if (offer.priceBase === null || offer.priceBase === booking.priceBase) {
    return {
      base: booking.priceBase,
      surcharge: booking.priceSurcharge,
      total: booking.priceTotal,
      commission: booking.commission,
      earnings: booking.technicianEarnings,
    };
  }
  return cutPrice(offer.priceBase, {
    emergency: booking.emergency,
    surchargePct: service.emergencySurchargePct,
    zonePct: booking.zoneSurcharge?.pct,
    commissionBps: booking.commissionBps,
  });
}

export function toOffer(offer: OfferRow, booking: BookingRow, service: ServiceRow): Offer {
  const p = offerPrice(offer, booking, service);
  return {
    offerId: String(offer.id),
    bookingId: booking.id,
    service: { id: service.id, name: { en: service.nameEn, ar: service.nameAr } },
    price: money(p.total, booking.currency),
    earnings: money(p.earnings, booking.currency),
    distanceMeters: offer.distanceMeters,
    area: { lat: toHundredthDegree(booking.location.lat), lng: toHundredthDegree(booking.location.lng) },
    scheduledFor: booking.scheduledFor?.toISOString() ?? null,
    expiresAt: offer.expiresAt.toISOString(),
  };
}

/**
 * Offers a booking to one technician at a time, nearest first, each for a short window. The database
 * holds the truth (open offers and their expiry), so timers are only a shortcut: a sweep re-derives
 * everything, including offers that lapsed while the server was down.
 */
export function createDispatchService(deps: {
  db: Db;
  bus: Bus;
  lifecycle: BookingLifecycle;
  /** The booking module's reads and row locks, inside dispatch's transactions. */
  bookings: Pick<BookingRecords, 'withParties'>;
  /** Technicians' profiles (only a verified technician takes jobs). */
  technicians: Pick<TechnicianRecords, 'profile'>;
  config: DispatchConfig;
  presence: PresenceService;
  presenceTimeoutMs: number;
  /** PUSH_REACHABLE_MS: technicians without a live socket, reachable by Web Push (0: none). */
  pushReachableMs: number;
  leader: Leader;
  /**
   * A service by id (the catalog keeps them in memory), for the offer card. Inside a transaction, pass
   * it: a miss is then read on it, never on the pool (see catalog.service).
   */
  service: (id: string, on?: DbOrTx) => Promise<ServiceRow | undefined>;
  /**
   * The technician's notification of an offer about to be made (the notification outbox, issue 11 §2),
   * written by the offer's own statement; null for none. `offered` runs after it, in the same transaction.
   */
  offerNotice: (
    tx: DbOrTx,
    booking: BookingRow,
    offer: Pick<OfferRow, 'priceBase'>,
  ) => Promise<NotificationData | null>;
  offered: (tx: DbOrTx) => Promise<void>;
  /** Nearest available technicians from the live in-memory index (PostgreSQL's nearest is the fallback). */
  nearest: (
    serviceId: string,
    at: LngLat,
    n: number,
    radiusMeters: number,
    when?: Date | null,
  ) => Candidate[];
  /** Working hours and reservations (issue 12 §5): a scheduled job reserves its technician's time. */
  schedule: Pick<ScheduleService, 'reserve' | 'release'>;
}) {
  const { db, bus, lifecycle, config, presence, presenceTimeoutMs } = deps;
  /**
   * Dispatch's queries, counting technicians heard from within the presence window with a live offers
   * subscription, and those reachable by Web Push (a locked phone: see `pushReachable` in the repo).
   */
  const dispatchRepo = (d: DbOrTx) =>
    createDispatchRepo(
      d,
      { timeoutMs: presenceTimeoutMs, since: presence.since, pushReachableMs: deps.pushReachableMs },
      config.signals,
    );
  const repo = dispatchRepo(db);
  let unsubscribe: (() => void) | undefined;
  const timers = new Map<number, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  let sweeper: NodeJS.Timeout | undefined;
  let stopped = true;

  /** Runs background work, tracked so stop() can wait for it and failures are logged, not lost. */
  function background(what: string, work: () => Promise<unknown>) {
    const p = work()
      .catch((e) =>
        log.error(`dispatch: ${what} failed`, { error: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => running.delete(p));
    running.add(p);
    return p;
  }

  function arm(offerId: number, expiresAt: Date) {
    if (stopped) return;
    clearTimeout(timers.get(offerId));
    const t = setTimeout(
      () => {
        timers.delete(offerId);
        background('expiry', expireDue);
      },
      Math.max(0, expiresAt.getTime() - Date.now()) + 20,
    );
    t.unref();
    timers.set(offerId, t);
  }

  function disarm(offerId: number) {
    clearTimeout(timers.get(offerId));
    timers.delete(offerId);
  }

  const closed = (o: OfferRow) =>
    bus.publish<OfferEvent>(channels.technicianOffers(o.technicianId), {
      type: 'closed',
      offerId: String(o.id),
      bookingId: o.bookingId,
    });

  /**
   * The job's base price with this technician's own price for the service (issue 12 §2), or null when
   * they have none (the booking's list price stands).
   */
  async function ownBase(tx: DbOrTx, row: BookingRow, price: number | null | undefined) {
    if (price === null || price === undefined) return null;
    const service = await deps.service(row.serviceId, tx);
    if (!service) return null;
    return priceJob(
      { ...service, basePrice: price },
      { emergency: row.emergency, commissionBps: row.commissionBps },
    ).base;
  }

  /**
   * Asks the next technician, or gives up (`unfulfilled`) when nobody is left. Two bookings dispatched at
   * once may pick the same technician: the unique index on open offers lets one have them, and the other
   * goes round again (that technician is no longer a candidate).
   */
  async function dispatchNext(bookingId: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await offerNext(bookingId);
      } catch (e) {
        const pg = pgErrorCode(e);
        // Another round offered this booking meanwhile (it committed while this one waited for the lock):
        // nothing to do.
        if (pg.code === '23505' && pg.constraint === 'dispatch_offers_one_open_per_booking') return;
        const taken = pg.code === '23505' && pg.constraint === 'dispatch_offers_one_open_per_technician';
        if (!taken || attempt >= 5) {
          unserved.add(bookingId); // unknown: count it as waiting (freed technicians look, as before)
          throw e;
        }
      }
    }
  }

  async function offerNext(bookingId: string) {
    const skipsBefore = waitingSkips;
    const result = await db.transaction(async (tx) => {
      const dispatch = dispatchRepo(tx);
      const locked = await dispatch.lockedForRound(bookingId);
      if (!locked) return null;
      const { booking: row, openOffer } = locked;
      // A test-mode booking is never offered to a real technician (its simulated one takes it). An open
      // offer: another round asked someone. Read with the lock (see lockedForRound); an offer committed
      // between that statement's snapshot and its lock is still possible, so what must not happen while an
      // offer is open checks again below (`stillNoOffer`), and the offers' unique index refuses a second.
      if (row.status !== 'searching' || row.sandbox || openOffer) return null;
      const stillNoOffer = async () => !(await dispatch.openOfferOf(bookingId));
      // A scheduled job waits for SCHEDULE_LEAD_MINUTES, except a chosen technician's held slot: offered
      // to them at once, so they confirm it now (issue 12 §5); if they decline, the rest waits for the lead.
      const chosen = row.preferredTechnicianId;
      const early = row.scheduledFor && row.scheduledFor.getTime() - config.scheduleLeadMs > Date.now();
      if (early && !(chosen && row.reservedFor === chosen)) return null;
      // The customer's chosen technician first (issue 12 §4); the nearest after them only if agreed.
      let candidate: Candidate | undefined;
      let reason = 'No technician accepted in time';
      if (chosen) {
        const asked = await dispatch.offerFor(bookingId, chosen);
        if (!asked) candidate = await dispatch.chosen(row, chosen);
        else {
          reason = 'The technician you chose could not take this job';
          // Their slot was held for this booking: free it for others (issue 12 §5).
          if (row.reservedFor === chosen) {
            if (!(await stillNoOffer())) return null;
            await deps.schedule.release(tx, row.id);
          }
        }
      }
      if (early && !candidate && row.fallbackToNearest) return null;
      if (!candidate && (!chosen || row.fallbackToNearest)) {
        const proposed = deps.nearest(
          row.serviceId,
          row.location,
          MEMORY_CANDIDATES,
          config.radiusMeters,
          row.scheduledFor,
        );
        // The band is asked around memory's nearest with its confirmation, one round trip (issue 18 §2):
        // the answer holds when the database confirms that one; otherwise the band is asked again below.
        const guess = proposed[0];
        let aroundGuess: Candidate | undefined;
        [candidate, aroundGuess] = await Promise.all([
          dispatch.firstConfirmed(row, proposed),
          guess && dispatch.bestInBand(row, guess, config.radiusMeters),
        ]);
        // PostgreSQL's nearest: the fallback, and (push reachability on) a push-only technician clearly
        // nearer than memory's best.
        if (!candidate || (deps.pushReachableMs && candidate.distanceMeters > PUSH_ONLY_MARGIN_METERS)) {
          const nearest = await dispatch.nextCandidate(row, config.radiusMeters);
          if (
            nearest &&
            (!candidate || nearest.distanceMeters + PUSH_ONLY_MARGIN_METERS < candidate.distanceMeters)
          )
            candidate = nearest;
        }
        // Within a short band beyond the nearest, the best-rated goes first (ratings drive dispatch).
        if (candidate) {
          const guessed =
            candidate.technicianId === guess?.technicianId &&
            candidate.distanceMeters === guess.distanceMeters;
          candidate =
            (guessed ? aroundGuess : await dispatch.bestInBand(row, candidate, config.radiusMeters)) ??
            candidate;
        }
      }
      if (candidate) {
        const base = await ownBase(tx, row, candidate.price);
        // The technician's notification commits with the offer, in its statement (issue 11 §2, issue 18).
        const notice = await deps.offerNotice(tx, row, { priceBase: base });
        const offer = await dispatch.insertOffer(bookingId, candidate, config.offerWindowMs, base, notice);
        if (notice) await deps.offered(tx);
        return { offer, row };
      }
      // Nobody available right now: keep looking (sweeps, technicians coming online) until the deadline;
      // a chosen technician who said no (and no fallback agreed) ends it at once.
      const deadline = row.scheduledFor?.getTime() ?? row.createdAt.getTime() + config.searchWindowMs;
      const refusedByChosen = chosen && !row.fallbackToNearest && reason !== 'No technician accepted in time';
      if (Date.now() < deadline && !refusedByChosen) return { waiting: true as const };
      if (!(await stillNoOffer())) return null;
      const change = await lifecycle.transition(tx, row, 'unfulfilled', { id: null, role: 'system' }, reason);
      return { change };
    });
    if (result && 'waiting' in result) {
      unserved.add(bookingId);
      // A technician freed during this round was not looked for (nothing was waiting then): look again.
      if (waitingSkips !== skipsBefore) void kick(bookingId);
      return;
    }
    unserved.delete(bookingId);
    if (!result) return;
    if ('change' in result && result.change) {
      lifecycle.publish(result.change);
      return;
    }
    if ('offer' in result && result.offer) {
      const { offer, row } = result;
      arm(offer.id, offer.expiresAt);
      // The offer card from what the transaction had (the service from the catalog's memory): no re-read.
      const service = await deps.service(row.serviceId);
      if (service) {
        bus.publish<OfferEvent>(channels.technicianOffers(offer.technicianId), {
          type: 'offer',
          offer: toOffer(offer, row, service),
        });
      }
    }
  }

  /**
   * Rounds are serialised per booking, and a burst of triggers costs one round, not one each: a trigger
   * that finds a round queued and not yet started joins it (that round reads the booking after the
   * trigger). Only a trigger during a running round queues another, since the running one may have read
   * the booking before the change. In a rush every freed technician and every sweep triggers the waiting
   * bookings; chained rounds were most of the transactions past the knee (issue 18).
   */
  const pending = new Map<string, Promise<unknown>>();
  /**
   * Searching bookings whose last round found nobody (waiting for a technician to be free). With one
   * node (memory bus) every round runs here, so when this is empty after the startup sweep, a freed
   * technician has nothing to be offered and their `searchingNear` query is skipped: at a sustained rush
   * rate that query found nothing for almost every job (one transaction of about twelve, issue 18). A
   * round that finds nobody while such a skip happened goes round again (`waitingSkips`), so a technician
   * freed mid-round is not missed. Several nodes: rounds run anywhere, so the query always runs.
   */
  const unserved = new Set<string>();
  let waitingSkips = 0;
  let freedLookups = 0;
  let sweptOnce = false;
  const nothingWaiting = () => bus.mode === 'memory' && sweptOnce && unserved.size === 0;
  const notStarted = new Set<string>();
  function kick(bookingId: string) {
    const latest = pending.get(bookingId);
    if (latest && notStarted.has(bookingId)) return latest;
    notStarted.add(bookingId);
    const next = (latest ?? Promise.resolve()).then(() => {
      notStarted.delete(bookingId);
      return background(`booking ${bookingId}`, () => dispatchNext(bookingId));
    });
    pending.set(bookingId, next);
    void next.finally(() => {
      if (pending.get(bookingId) === next) pending.delete(bookingId);
    });
    return next;
  }

  async function expireDue() {
    const expired = await repo.expireDue();
    for (const o of expired) {
      disarm(o.id);
      closed(o);
      kick(o.bookingId);
      freed(o.technicianId);
    }
    return expired.length;
  }

  /**
   * A technician's offer closed without a job, or their job ended: free at once, so a booking waiting
   * near them is offered now (not at the next sweep): one that has waited long first, else the nearest.
   */
  function freed(technicianId: string) {
    if (stopped) return;
    if (nothingWaiting()) {
      waitingSkips++;
      return;
    }
    freedLookups++;
    void background('freed', async () => {
      // A few, not every booking around (twenty rounds for one free technician were nineteen
      // empty ones), one after another: each round asks its booking's own nearest free technician, so run
      // together the three would race for this one and the farthest could win.
      for (const id of await repo.searchingNear(
        technicianId,
        config.radiusMeters,
        FREED_KICKS,
        WAITED_LONG_MS,
      ))
        await kick(id);
    });
  }

  /** Their offers subscription ended and did not come back: whatever was offered to them moves on now. */
  async function unreachable(technicianId: string) {
    for (const o of await repo.expireUnheard(technicianId)) {
      disarm(o.id);
      kick(o.bookingId);
    }
  }

  /** Statuses after which the booking's technician is free again (the job is over for them). */
  const RELEASING: ReadonlySet<string> = new Set(['completed', 'cancelled', 'disputed']);

  /** Bookings waiting with nobody asked (new, handed back, scheduled ones coming due, missed by a crash). */
  async function waiting() {
    const ids = await repo.searchingWithoutOpenOffer(config.scheduleLeadMs);
    await Promise.all(ids.map((id) => kick(id)));
    // Every booking waiting before now has had a round: `unserved` knows which still wait.
    sweptOnce = true;
  }

  /**
   * Every node expires what is due (one UPDATE … RETURNING: each offer is expired, and moved on, by
   * exactly one node), so a dead node's offers move on within one sweep interval. Looking for bookings
   * nobody is being asked about is one node's job (the lease holder; another takes over if it dies).
   */
  async function sweep() {
    await expireDue();
    await deps.leader.runOnce('dispatch-sweep', config.sweepMs * 3, waiting);
  }

  /** Only a verified technician takes jobs and hears of them. */
  async function isVerified(d: DbOrTx, technicianId: string) {
    const row = await deps.technicians.profile(technicianId, { tx: d });
    return row?.profile.verification === 'verified';
  }

  /** Wakes the technician's offers streams to check their access again (it yields nothing itself). */
  const recheck = (technicianId: string) =>
    bus.publish<Recheck>(channels.technicianOffers(technicianId), { type: 'recheck' });

  /** Never asked: the booking is none of their business. Asked, but the window closed: say so. */
  async function closedOfferError(bookingId: string, technicianId: string) {
    return (await repo.offerFor(bookingId, technicianId))
      ? new DomainError('CONFLICT', 'This offer is no longer available.')
      : new DomainError('NOT_FOUND', 'Offer not found.');
  }

  /** Closes the technician's open offer of the booking as declined and moves the booking on; false: none. */
  async function declined(bookingId: string, technicianId: string, reason: string | null) {
    const offer = await repo.respond(bookingId, technicianId, 'declined', reason);
    if (!offer) return false;
    disarm(offer.id);
    closed(offer);
    await kick(bookingId);
    return true;
  }

  return {
    kick,
    sweep,
    expireDue,
    /** Bookings with a dispatch round queued or running: how far behind dispatch is. */
    backlog: () => pending.size,

    /** Exactly once: the offer must still be open and the booking still searching, in one transaction. */
    async accept(bookingId: string, technicianId: string): Promise<Booking> {
      let result: { offer: OfferRow; change: Change } | null;
      try {
        result = await db.transaction(async (tx) => {
          // Suspended while holding the offer: it cannot be accepted (issue 15 §3). The acceptance itself
          // checks it (one statement); only a refused one asks why. The booking's locked read goes with it,
          // one round trip (issue 18 §2): PostgreSQL runs it after the acceptance, in the same order of
          // locks as before (the offer, then the booking); a refused acceptance does not use it.
          const [offer, withParties] = await Promise.all([
            dispatchRepo(tx).respond(bookingId, technicianId, 'accepted', null, true),
            deps.bookings.withParties(bookingId, { tx, forUpdate: true }),
          ]);
          if (!offer) {
            if (!(await isVerified(tx, technicianId)))
              throw new DomainError('FORBIDDEN_ROLE', 'Your account is not verified: you cannot take jobs.');
            return null;
          }
          if (withParties?.booking.status !== 'searching')
            throw new DomainError('CONFLICT', 'This job is no longer available.');
          // The price stored is the one of the technician who accepted (their own, when they have one).
          const service = await deps.service(withParties.booking.serviceId, tx);
          const p = service ? offerPrice(offer, withParties.booking, service) : null;
          // A scheduled job reserves the technician's time, with the drive to it (issue 12 §5).
          const b = withParties.booking;
          const reservation =
            b.scheduledFor && b.scheduledEnd
              ? await deps.schedule.reserve(tx, {
                  bookingId,
                  technicianId,
                  location: b.location,
                  start: b.scheduledFor,
                  end: b.scheduledEnd,
                })
              : {};
          const change = await lifecycle.transition(
            tx,
            withParties,
            'assigned',
            { id: technicianId, role: 'technician' },
            null,
            {
              technicianId,
              ...reservation,
              ...(p && p.base !== withParties.booking.priceBase
                ? {
                    priceBase: p.base,
                    priceSurcharge: p.surcharge,
                    priceTotal: p.total,
                    commission: p.commission,
                    technicianEarnings: p.earnings,
                  }
                : {}),
            },
          );
          return { offer, change };
        });
      } catch (e) {
        const pg = pgErrorCode(e);
        if (pg.code === '23505' && pg.constraint === 'bookings_one_active_job_per_technician') {
          // The offer reached them as another job of theirs was being accepted (it was chosen from a
          // snapshot taken before that assignment committed). It is closed, and the booking goes to the
          // next technician now, not when the window lapses.
          await declined(bookingId, technicianId, 'Busy with another job');
          throw new DomainError(
            'CONFLICT',
            'You already have an active job. Finish it before accepting another.',
          );
        }
        if (pg.code === '23P01')
          throw new DomainError('CONFLICT', 'This job overlaps another job you have scheduled.');
        throw e;
      }
      if (!result) throw await closedOfferError(bookingId, technicianId);
      disarm(result.offer.id);
      closed(result.offer);
      return lifecycle.publish(result.change);
    },

    async decline(bookingId: string, technicianId: string, reason: string | null = null) {
      if (!(await declined(bookingId, technicianId, reason)))
        throw await closedOfferError(bookingId, technicianId);
      freed(technicianId);
      return { ok: true as const };
    },

    /** Offers withdrawn from a technician who is no longer verified: closed for them, moved on. */
    offersWithdrawn(technicianId: string, offers: OfferRow[]) {
      for (const o of offers) {
        disarm(o.id);
        closed(o);
        kick(o.bookingId);
      }
      // Their offers stream ends now, not at its next event (issue 15 §3).
      recheck(technicianId);
    },

    /** Closes the open offers of a booking that was cancelled or handed back. */
    async withdraw(bookingId: string) {
      for (const o of await repo.withdrawOpen(bookingId)) {
        disarm(o.id);
        closed(o);
        freed(o.technicianId);
      }
    },

    /** A technician came online or changed services: offer them what is waiting nearby. */
    onTechnicianAvailable: freed,

    /** Freed technicians: looked up waiting bookings for, or skipped because nothing was waiting. */
    freedStats: () => ({ lookups: freedLookups, skipped: waitingSkips }),

    /**
     * `technician.offers`: open offers first, then new and closed ones as they happen. Access is checked
     * again on every event (issue 15 §3): once the technician is no longer verified the stream ends.
     */
    async *offers(technicianId: string, signal: AbortSignal | undefined): AsyncGenerator<OfferEvent> {
      const live = bus.subscribe<OfferEvent | Recheck>(channels.technicianOffers(technicianId), signal);
      const stopListening = await presence.listen(technicianId, (id) => {
        // After a stop the database may be gone; the next start re-arms what is open.
        if (!stopped) void background('unreachable', () => unreachable(id));
      });
      try {
        await live.ready;
        if (!(await isVerified(db, technicianId))) return;
        let checkedAt = Date.now();
        // An offer made between the subscription and this read arrives twice (read, then published): once.
        const listed = new Set<string>();
        for (const o of await repo.openOffersOfTechnician(technicianId)) {
          const offer = toOffer(o.offer, o.booking, o.service);
          listed.add(offer.offerId);
          yield { type: 'offer', offer };
        }
        for await (const event of live) {
          if (event.type === 'offer' && listed.has(event.offer.offerId)) continue;
          // Every change away from `verified` publishes a recheck on this channel (offersWithdrawn), so the
          // answer is read again then, not once per offer (two reads per job in a rush, issue 18 §2); a
          // stale answer is re-read anyway after RECHECK_MS, in case a message was lost.
          if (event.type === 'recheck' || Date.now() - checkedAt > RECHECK_MS) {
            if (!(await isVerified(db, technicianId))) return;
            checkedAt = Date.now();
          }
          if (event.type !== 'recheck') yield event;
        }
      } finally {
        stopListening();
      }
    },

    async start() {
      stopped = false;
      for (const o of await repo.openOffers()) arm(o.id, o.expiresAt);
      // Back (or here for the first time) on this node: offer them what is waiting nearby.
      const offPresence = presence.onChange((c) => {
        if (c.present && c.local) freed(c.id);
      });
      // A job that ended on this node frees its technician (each change is acted on by the node that made it).
      const offChanges = bus.on<BookingChangeMessage>(channels.bookingChanges, (m) => {
        if (m.status !== 'searching') unserved.delete(m.bookingId);
        if (m.node === bus.nodeId && m.technicianId && RELEASING.has(m.status)) freed(m.technicianId);
      });
      unsubscribe = () => {
        offPresence();
        offChanges();
      };
      await background('startup sweep', sweep);
      sweeper = setInterval(() => void background('sweep', sweep), config.sweepMs);
      sweeper.unref();
    },

    async stop() {
      stopped = true;
      unsubscribe?.();
      clearInterval(sweeper);
      sweeper = undefined;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}

export type DispatchService = ReturnType<typeof createDispatchService>;
