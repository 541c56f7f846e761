import { distanceMeters } from '#shared/geo';
import type { BookingStatus } from '../../contracts/booking';
import type { LivePosition } from '../../contracts/tracking';
import { DomainError } from '../../lib/errors';
import { etaSeconds } from '../../lib/eta';
import { intern } from '../../lib/intern';
import { isoString } from '../../lib/iso';
import type { Feed, FeedEvent, FeedSink } from '../../realtime/feed';
import type { BookingRecords } from '../booking/booking.records';
import { type Caller, type LiveFix, type TrackingState, WATCHABLE } from './tracking.state';

/** Everyone watching one booking: they all receive the same events. */
type BookingFeed = {
  bookingId: string;
  technicianId: string;
  target: { lat: number; lng: number };
  sinks: Set<FeedSink>;
  /** The event a joining viewer was last given (a cache for `current()`; published events are not kept). */
  last: LiveEvent | undefined;
  /** Whether the newest event sent or given was the "stale" one (the sweep sends it once). */
  lastStale: boolean;
};

/** What a viewer sees of a fix: where, how fresh, and how far (and how long at `speedMps`) from `target`. */
export function livePosition(
  fix: LiveFix,
  target: { lat: number; lng: number },
  speedMps: number | undefined,
  stale: boolean,
): LivePosition {
  const d = Math.round(distanceMeters(fix, target));
  return {
    lat: fix.lat,
    lng: fix.lng,
    accuracy: fix.accuracy,
    heading: fix.heading,
    speed: fix.speed,
    recordedAt: isoString(fix.recordedAt),
    stale,
    etaSeconds: etaSeconds(d, speedMps),
    distanceMeters: d,
  };
}

/** A number as JSON.stringify writes it (non-finite numbers are null). */
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');
const numOrNull = (n: number | null) => (n === null ? 'null' : num(n));

/**
 * Hot path (one per fix of a watched technician, issue 15 §7): `JSON.stringify` of a live position written
 * out by hand for the one shape it is, key for key in LivePosition's order, without building or walking
 * the object. `recordedAt` is toISOString()'s text (isoString) (digits, '-', ':', '.', 'T', 'Z': nothing to
 * escape). Held to JSON.stringify's output by tracking.feeds.unit.test.ts.
 */
function positionJson(
  fix: Pick<LiveFix, 'lat' | 'lng' | 'accuracy' | 'heading' | 'speed'>,
  recordedAt: string,
  stale: boolean,
  etaSeconds: number,
  distanceMeters: number,
): string {
  return `{"lat":${num(fix.lat)},"lng":${num(fix.lng)},"accuracy":${numOrNull(fix.accuracy)},"heading":${numOrNull(fix.heading)},"speed":${numOrNull(fix.speed)},"recordedAt":"${recordedAt}","stale":${stale},"etaSeconds":${num(etaSeconds)},"distanceMeters":${num(distanceMeters)}}`;
}

export const livePositionJson = (p: LivePosition) =>
  positionJson(p, p.recordedAt, p.stale, p.etaSeconds, p.distanceMeters);

/**
 * One live position event: its JSON made at once (the WebSocket path publishes only that), the object
 * (`data`, for tRPC's own subscription path and `current()`) only when asked for. Hot path: one object
 * per fix of a watched technician instead of two.
 */
export class LiveEvent implements FeedEvent {
  readonly id: string;
  readonly json: string;
  constructor(
    readonly fix: LiveFix,
    readonly target: { lat: number; lng: number },
    readonly speedMps: number | undefined,
    readonly stale: boolean,
  ) {
    this.id = String(fix.recordedAt);
    const d = Math.round(distanceMeters(fix, target));
    this.json = positionJson(fix, isoString(fix.recordedAt), stale, etaSeconds(d, speedMps), d);
  }
  get recordedAt() {
    return this.fix.recordedAt;
  }
  get data(): LivePosition {
    return livePosition(this.fix, this.target, this.speedMps, this.stale);
  }
}

/**
 * The live position feeds: one per watched booking, shared by all its viewers on this node, fed by every
 * current fix of its technician (and once more when they fall silent).
 */
export function createTrackingFeeds(deps: {
  bookings: Pick<BookingRecords, 'withParties'>;
  state: TrackingState;
}) {
  const { bookings, state } = deps;
  const { last, speeds, isStale } = state;
  const feeds = new Map<string, BookingFeed>();
  /**
   * Who may be watched on a booking, as the latest change this node heard says (null: nobody). A viewer
   * authorised from the database just before a hand-back must not start a feed of the old technician.
   */
  const watchable = new Map<string, string | null>();
  const feedsByTechnician = new Map<string, BookingFeed[]>();

  /** Only the booking's customer (and admins), only while the technician is on the way. */
  async function authorize(bookingId: string, user: Caller) {
    const view = await bookings.withParties(bookingId);
    const allowed = view && (user.role === 'admin' || view.booking.customerId === user.id);
    if (!view || !allowed) throw new DomainError('NOT_FOUND', 'Booking not found.');
    if (!WATCHABLE.has(view.booking.status) || !view.booking.technicianId) {
      throw new DomainError('CONFLICT', 'Live location is shared only while the technician is on the way.');
    }
    return view;
  }

  const liveEvent = (f: BookingFeed, fix: LiveFix, now: number) =>
    new LiveEvent(fix, f.target, speeds.get(f.technicianId), isStale(fix, now));

  /** The feed's newest event, made from the technician's newest fix (and marked stale once it is). */
  function latest(f: BookingFeed, now: number): LiveEvent | undefined {
    const fix = last.get(f.technicianId);
    if (!fix) return undefined;
    const stale = isStale(fix, now);
    if (f.last?.recordedAt !== fix.recordedAt || f.last.stale !== stale) f.last = liveEvent(f, fix, now);
    f.lastStale = f.last.stale;
    return f.last;
  }

  /**
   * Hot path (every fix of a watched technician): the event goes to the sinks and is not kept here, so
   * it dies young (a scavenge frees it) instead of living until the next fix and being promoted to the old
   * generation. `current()` rebuilds the same event from the technician's newest fix when a viewer joins.
   */
  function publish(f: BookingFeed, e: LiveEvent) {
    f.last = undefined;
    f.lastStale = e.stale;
    for (const sink of f.sinks) sink.event(e);
  }

  function dropFeed(f: BookingFeed) {
    if (feeds.get(f.bookingId) !== f) return;
    feeds.delete(f.bookingId);
    const list = feedsByTechnician.get(f.technicianId)?.filter((x) => x !== f);
    if (list?.length) feedsByTechnician.set(f.technicianId, list);
    else feedsByTechnician.delete(f.technicianId);
  }

  /** The feed is over (job started, cancelled, server stopping): every viewer's subscription ends. */
  function endFeed(f: BookingFeed) {
    dropFeed(f);
    for (const sink of f.sinks) sink.end();
  }

  return {
    authorize,

    /** A technician's new current position: everyone watching them on this node gets it. */
    fix(technicianId: string, fix: LiveFix, now: number) {
      const watched = feedsByTechnician.get(technicianId);
      if (watched) for (const f of watched) publish(f, liveEvent(f, fix, now));
    },

    /** A booking changed: its feed ends if its technician may no longer be watched there. */
    bookingChanged(bookingId: string, status: BookingStatus, technicianId: string | null) {
      // Bounded: old entries matter only for the moment between an authorisation and its subscription.
      if (watchable.size >= 50_000) watchable.delete(watchable.keys().next().value!);
      watchable.delete(bookingId);
      watchable.set(bookingId, WATCHABLE.has(status) ? technicianId : null);
      const feed = feeds.get(bookingId);
      if (feed && (!WATCHABLE.has(status) || feed.technicianId !== technicianId)) endFeed(feed);
    },

    /** Feeds whose technician fell silent get one more event, marked stale ("last seen …"). */
    sweepStale(now = Date.now()) {
      for (const f of feeds.values()) {
        const fix = last.get(f.technicianId);
        if (fix && !f.lastStale && isStale(fix, now)) publish(f, liveEvent(f, fix, now));
      }
    },

    /** Every feed ends (server stopping). */
    endAll() {
      for (const f of [...feeds.values()]) endFeed(f);
    },

    /**
     * The assigned technician's position for the booking's customer (and admins) while they are on the
     * way: one feed per booking, shared by all its viewers. Each fix becomes one event, serialised once.
     */
    async openFeed(bookingId: string, user: Caller, lastEventId: string | null | undefined): Promise<Feed> {
      const { booking } = await authorize(bookingId, user);
      // Only these two outlive the call (closures below must not keep the whole booking alive).
      const technicianId = intern(booking.technicianId!); // the fix's key, looked up per fix
      const target = booking.location;
      const since = lastEventId ? Number(lastEventId) || 0 : 0;
      const feed = () => {
        let f = feeds.get(bookingId);
        if (!f) {
          f = { bookingId, technicianId, target, sinks: new Set(), last: undefined, lastStale: false };
          feeds.set(bookingId, f);
          const list = feedsByTechnician.get(f.technicianId);
          if (list) list.push(f);
          else feedsByTechnician.set(f.technicianId, [f]);
        }
        return f;
      };
      return {
        key: bookingId,
        current() {
          const f = feeds.get(bookingId);
          const e = f && latest(f, Date.now());
          // A position already seen comes again only if it has since gone stale.
          return e && (e.recordedAt > since || (e.stale && e.recordedAt === since)) ? e : undefined;
        },
        subscribe(sink) {
          // Access ended between the check above and now (handed back, cancelled): the stream ends.
          const now = watchable.get(bookingId);
          if (now !== undefined && now !== technicianId) {
            sink.end();
            return () => {};
          }
          const f = feed();
          f.sinks.add(sink);
          return () => {
            f.sinks.delete(sink);
            if (f.sinks.size === 0) dropFeed(f);
          };
        },
      };
    },
  };
}

export type TrackingFeeds = ReturnType<typeof createTrackingFeeds>;
