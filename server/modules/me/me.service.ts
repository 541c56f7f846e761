import type { Db } from '../../../db/client';
import type { UserRow } from '../../../db/schema';
import type { MeEvent } from '../../contracts/me';
import { log } from '../../lib/log';
import { type Bus, channels, type Unsubscribe } from '../../realtime/bus';
import { inbox } from '../../realtime/inbox';
import type { BookingChangeMessage } from '../tracking/tracking.service';
import { meChannel } from './me.channel';
import { createMeRepo } from './me.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;
type Emit = (event: MeEvent) => void;

/** Bookings whose parties this node remembers (customer ids never change; a technician's may). */
const PARTIES_CACHE = 10_000;
/** Hints kept for a slow reader before they collapse into one `resync`. */
const MAX_QUEUED = 100;
/**
 * Admins get at most one hint of each kind this often (going online and offline is frequent; an expiry
 * sweep sends many applications back at once).
 */
const ADMIN_HINT_MS = 1_000;

type AdminHint = Extract<MeEvent, { type: 'technicians' | 'applications' }>['type'];

/**
 * `me.events`. Events reach a user three ways: their own bus channel (`me:<id>`: chat messages, and
 * whatever publishes there), booking changes (every node hears them on `booking-changes`; the node looks
 * up the booking's customer once and remembers it), and technician changes (`technicians`); admins also
 * hear of onboarding applications (`applications`: submitted, decided, sent back).
 * Nodes without any `me.events` subscriber do nothing with the shared channels.
 */
export function createMeService({ db, bus }: { db: Db; bus: Bus }) {
  const repo = createMeRepo(db);
  const byUser = new Map<string, Set<Emit>>();
  const admins = new Set<Emit>();
  const parties = new Map<string, { customerId: string; technicianId: string | null }>();
  let shared: Unsubscribe[] = [];
  const adminHints = new Map<AdminHint, { at: number; timer?: ReturnType<typeof setTimeout> }>();

  const deliver = (userId: string | null, event: MeEvent) => {
    if (userId) for (const emit of byUser.get(userId) ?? []) emit(event);
  };

  async function onBookingChange(m: BookingChangeMessage) {
    if (byUser.size === 0) return;
    let p = parties.get(m.bookingId);
    if (!p) {
      const row = await repo.parties(m.bookingId);
      if (!row) return;
      p = { customerId: row.customerId, technicianId: row.technicianId };
      if (parties.size >= PARTIES_CACHE) parties.delete(parties.keys().next().value!);
      parties.set(m.bookingId, p);
    }
    const event: MeEvent = { type: 'booking', bookingId: m.bookingId, status: m.status };
    // The customer, the technician now, and the one before (a hand-back, a reassignment).
    for (const userId of new Set([p.customerId, m.technicianId, p.technicianId])) deliver(userId, event);
    p.technicianId = m.technicianId;
  }

  /** One `type` hint to every admin, at most once per ADMIN_HINT_MS (later ones fold into the next). */
  function hintAdmins(type: AdminHint) {
    const hint = adminHints.get(type) ?? { at: 0 };
    adminHints.set(type, hint);
    if (admins.size === 0 || hint.timer) return;
    const wait = Math.max(0, hint.at + ADMIN_HINT_MS - Date.now());
    hint.timer = setTimeout(() => {
      hint.timer = undefined;
      hint.at = Date.now();
      for (const emit of admins) emit({ type });
    }, wait);
    hint.timer.unref?.();
  }

  function onTechnicians(m: { ids: string[] }) {
    for (const id of m.ids) deliver(id, { type: 'technician' });
    hintAdmins('technicians');
  }

  function attachShared() {
    if (shared.length) return;
    shared = [
      bus.on<BookingChangeMessage>(channels.bookingChanges, (m) => {
        onBookingChange(m).catch((e: Error) => log.warn('me: booking change', { error: e.message }));
      }),
      bus.on<{ ids: string[] }>(channels.technicians, onTechnicians),
      bus.on(channels.applications, () => hintAdmins('applications')),
    ];
  }

  function detachShared() {
    if (byUser.size > 0) return;
    for (const off of shared) off();
    shared = [];
    for (const hint of adminHints.values()) clearTimeout(hint.timer);
    adminHints.clear();
  }

  return {
    async *events(user: Caller, signal: AbortSignal | undefined): AsyncGenerator<MeEvent> {
      const queue = inbox<MeEvent>(signal);
      const emit: Emit = (event) => {
        // A reader this far behind refetches everything anyway: one resync instead of the pile.
        if (queue.items.length >= MAX_QUEUED) queue.items.splice(0, queue.items.length, { type: 'resync' });
        queue.push(event);
      };
      const mine = byUser.get(user.id) ?? new Set<Emit>();
      mine.add(emit);
      byUser.set(user.id, mine);
      if (user.role === 'admin') admins.add(emit);
      attachShared();
      const offOwn = bus.on<MeEvent>(meChannel(user.id), emit);
      try {
        await Promise.all([offOwn.ready, ...shared.map((off) => off.ready)]);
        yield { type: 'resync' };
        while (await queue.wait()) yield queue.items.shift()!;
      } finally {
        queue.close();
        offOwn();
        mine.delete(emit);
        if (mine.size === 0) byUser.delete(user.id);
        admins.delete(emit);
        detachShared();
      }
    },

    /** Tells `userId`'s open screens (on any node) that something of theirs changed. */
    notify(userId: string, event: MeEvent) {
      bus.publish(meChannel(userId), event);
    },
  };
}

export type MeService = ReturnType<typeof createMeService>;
