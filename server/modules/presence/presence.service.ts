import { log } from '../../lib/log';
import { type Bus, channels } from '../../realtime/bus';
import type { Leader } from '../cluster/leader';
import type { PresenceRepo } from './presence.repo';

export type PresenceConfig = { timeoutMs: number; offlineAfterMs: number };

/** What crosses nodes on `channels.presence`. */
type PresenceMessage = { node: string } & (
  | { type: 'heard'; ids: string[]; at: number }
  | { type: 'gone'; id: string; seenAt: number | null }
);

/** A technician became present (`local`: heard on this node) or away. */
export type PresenceChange = { id: string; present: boolean; local: boolean };

/** How long a technician's offers may go unheard before their open offers move on. */
const LISTEN_GRACE_MS = 3_000;

/**
 * Honest presence. An online technician is available for dispatch only while a server hears from them:
 * a WebSocket of theirs is open on some node, or a fix (or any call) arrived within `timeoutMs`. When
 * both lapse they are away (not counted, not offered jobs) until heard from again; after `offlineAfterMs`
 * they are set offline.
 *
 * Each node knows its own sockets and tells the others (beats on the bus), so every node answers "who is
 * present" from memory. PostgreSQL gets `seen_at`/`listening_at` refreshed each beat, because dispatch's
 * last word is an SQL query. Nobody is present after a restart of the only node until heard from again.
 */
export function createPresenceService(deps: {
  repo: PresenceRepo;
  bus: Bus;
  leader: Leader;
  config: PresenceConfig;
  /** One process (no Redis): a restart means nobody's socket is open any more. */
  single: boolean;
  now?: () => number;
}) {
  const { repo, bus, config } = deps;
  const now = deps.now ?? Date.now;
  const beatMs = Math.max(100, Math.min(15_000, Math.floor(config.timeoutMs / 4)));
  /** Open technician sockets on this node. */
  const sockets = new Map<string, number>();
  /** Live `technician.offers` subscriptions on this node. */
  const listeners = new Map<string, number>();
  /** Cluster-wide: when each technician was last heard from (ms). */
  const seen = new Map<string, number>();
  /** When each technician's last fix reached this cluster (what "heard" means once their socket closes). */
  const lastFix = new Map<string, number>();
  /** Heard on this node since the last beat (fixes over HTTP, calls): written at the next beat. */
  const heardHere = new Set<string>();
  /** Who is present now, to notice transitions. */
  const present = new Set<string>();
  const listenersOfChange = new Set<(c: PresenceChange) => void>();
  let beat: NodeJS.Timeout | undefined;
  let offlineSweep: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  /**
   * One process: what the database says about presence from before this start is void (nobody's socket
   * is open any more). Dispatch's SQL counts `seen_at` only after this (no rows rewritten, so several
   * test servers may share a database). Several nodes: the others' beats are still good.
   */
  let since = 0;

  const isPresent = (id: string, t = now()) => sockets.has(id) || (seen.get(id) ?? 0) > t - config.timeoutMs;

  function emit(change: PresenceChange) {
    for (const l of listenersOfChange) {
      try {
        l(change);
      } catch (e) {
        log.error('presence: listener failed', { error: (e as Error).message });
      }
    }
  }

  /** Re-judges one technician and tells listeners if they came or went. */
  function judge(id: string, local: boolean, t = now()) {
    const is = isPresent(id, t);
    if (is === present.has(id)) return;
    if (is) present.add(id);
    else present.delete(id);
    emit({ id, present: is, local });
  }

  function heard(id: string, at: number, local: boolean) {
    if ((seen.get(id) ?? 0) < at) seen.set(id, at);
    const wasPresent = present.has(id);
    judge(id, false);
    if (!local || wasPresent || !present.has(id)) return;
    // Back from away on this node: PostgreSQL learns at once (dispatch checks it there), and only then
    // are listeners told it was here, so that offering them waiting jobs finds them available.
    void repo
      .touch([id], listeners.has(id) ? [id] : [])
      .catch(() => undefined)
      .then(() => emit({ id, present: true, local: true }));
  }

  function onMessage(m: PresenceMessage) {
    if (m.node === bus.nodeId) return; // our own, already applied
    if (m.type === 'heard') for (const id of m.ids) heard(id, m.at, false);
    else if (!sockets.has(m.id)) {
      // Their socket on another node closed: last heard from then (or at their last fix).
      seen.set(m.id, Math.max(m.seenAt ?? 0, lastFix.get(m.id) ?? 0));
      judge(m.id, false);
    }
  }

  async function runBeat() {
    const t = now();
    const ids = [...new Set([...sockets.keys(), ...heardHere])];
    heardHere.clear();
    if (ids.length || listeners.size) {
      for (const id of sockets.keys()) seen.set(id, t);
      if (sockets.size)
        bus.publish<PresenceMessage>(channels.presence, {
          node: bus.nodeId,
          type: 'heard',
          ids: [...sockets.keys()],
          at: t,
        });
      await repo.touch(ids, [...listeners.keys()]);
    }
    // Who lapsed since the last beat.
    for (const id of [...present]) judge(id, false, t);
    if (seen.size > 4 * present.size + 1000)
      for (const [id, at] of seen) if (at <= t - config.timeoutMs && !present.has(id)) seen.delete(id);
  }

  return {
    isPresent,
    /** For dispatch's SQL: presence recorded before this (ms since epoch) does not count. */
    since: () => since,
    /** Listeners are told when a technician becomes present or away (on every node). */
    onChange(listener: (c: PresenceChange) => void) {
      listenersOfChange.add(listener);
      return () => listenersOfChange.delete(listener);
    },

    /** The transport: a socket authenticated as `user` opened or closed on this node. */
    socket(user: { id: string; role: string }, open: boolean) {
      if (user.role !== 'technician') return;
      const n = (sockets.get(user.id) ?? 0) + (open ? 1 : -1);
      if (n > 0) sockets.set(user.id, n);
      else sockets.delete(user.id);
      const t = now();
      if (open) {
        if (n === 1)
          bus.publish<PresenceMessage>(channels.presence, {
            node: bus.nodeId,
            type: 'heard',
            ids: [user.id],
            at: t,
          });
        heard(user.id, t, true);
        return;
      }
      if (n > 0) return;
      // Their last socket here closed: from now on only fixes count.
      const at = lastFix.get(user.id) ?? null;
      seen.set(user.id, at ?? 0);
      bus.publish<PresenceMessage>(channels.presence, {
        node: bus.nodeId,
        type: 'gone',
        id: user.id,
        seenAt: at,
      });
      void repo.lastHeard(user.id, at === null ? null : new Date(at)).catch(() => undefined);
      judge(user.id, true, t);
    },

    /** A fix (or any tracking call) from them: on the node that took it (`local`) and on every other. */
    fix(id: string, at = now(), local = true) {
      lastFix.set(id, at);
      // Hot path (every fix, issue 15 §7): a technician whose socket is open here is present, and every
      // beat counts them as heard; only their last fix's time is new.
      if (local && sockets.has(id) && present.has(id)) return;
      if (local) heardHere.add(id);
      heard(id, at, local);
    },

    /** Going online counts as being heard from (the row's seen_at is set by the same update). */
    wentOnline(id: string) {
      heard(id, now(), true);
    },

    /**
     * A live `technician.offers` subscription on this node; the returned function ends it. When their
     * last one ends and none comes back within a short grace (a page reload), `onDeaf` is called so their
     * open offers move on at once instead of waiting out their window.
     */
    async listen(id: string, onDeaf: (id: string) => void): Promise<() => void> {
      listeners.set(id, (listeners.get(id) ?? 0) + 1);
      await repo.touch([], [id]);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const n = (listeners.get(id) ?? 1) - 1;
        if (n > 0) {
          listeners.set(id, n);
          return;
        }
        listeners.delete(id);
        void repo.notListening(id).catch(() => undefined);
        const t = setTimeout(() => {
          if (!listeners.has(id)) onDeaf(id);
        }, LISTEN_GRACE_MS);
        t.unref();
      };
    },

    stats: () => ({ present: present.size, socketsHere: sockets.size, listeningHere: listeners.size }),

    async start() {
      if (deps.single) since = now();
      else for (const r of await repo.seenWithin(config.timeoutMs)) heard(r.id, r.seenAt, false);
      unsubscribe = bus.on<PresenceMessage>(channels.presence, (m) => onMessage(m));
      beat = setInterval(
        () => void runBeat().catch((e) => log.warn('presence: beat failed', { error: e.message })),
        beatMs,
      );
      beat.unref();
    },

    /** The leader's sweep: online technicians unheard for `offlineAfterMs` are set offline. */
    startOfflineSweep(onOffline: (ids: string[]) => void) {
      const every = Math.max(1_000, Math.min(30_000, Math.floor(config.offlineAfterMs / 4)));
      offlineSweep = setInterval(
        () =>
          void deps.leader
            .runOnce('presence-offline', every * 3, async () => {
              const ids = await repo.setOfflineUnseenFor(config.offlineAfterMs);
              if (ids.length) {
                log.info('presence: set offline after silence', { count: ids.length });
                onOffline(ids);
              }
            })
            .catch((e) => log.warn('presence: offline sweep failed', { error: e.message })),
        every,
      );
      offlineSweep.unref();
    },

    async stop() {
      clearInterval(beat);
      clearInterval(offlineSweep);
      unsubscribe?.();
    },
  };
}

export type PresenceService = ReturnType<typeof createPresenceService>;
