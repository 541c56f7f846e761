import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../../db/client';
import { technicianProfiles } from '../../../db/schema';

const ago = (ms: number) => sql`now() - ${`${ms} milliseconds`}::interval`;

/** Presence columns of technician_profiles: what dispatch's SQL checks (memory answers everything else). */
export function createPresenceRepo(db: Db) {
  return {
    /** Heard from just now: `seen` (socket open, fixes); `listening` also have an offers subscription. */
    async touch(seen: string[], listening: string[]) {
      if (seen.length)
        await db
          .update(technicianProfiles)
          .set({ seenAt: sql`now()`, heardAt: sql`now()` })
          .where(inArray(technicianProfiles.userId, seen));
      if (listening.length)
        await db
          .update(technicianProfiles)
          .set({ listeningAt: sql`now()` })
          .where(inArray(technicianProfiles.userId, listening));
    },

    /**
     * Their last socket closed: present only as of their last fix (null: never), though heard from just
     * now (`heard_at`, what push reachability counts).
     */
    async lastHeard(id: string, at: Date | null) {
      await db
        .update(technicianProfiles)
        .set({ seenAt: at, heardAt: sql`now()` })
        .where(eq(technicianProfiles.userId, id));
    },

    async notListening(id: string) {
      await db.update(technicianProfiles).set({ listeningAt: null }).where(eq(technicianProfiles.userId, id));
    },

    /** Online technicians heard from within `ms` (a node joining a running cluster starts from these). */
    async seenWithin(ms: number) {
      const rows = await queryRows<{ id: string; seen_at: Date | string }>(
        db,
        sql`SELECT user_id AS id, seen_at FROM technician_profiles WHERE online AND seen_at > ${ago(ms)}`,
      );
      return rows.map((r) => ({ id: r.id, seenAt: new Date(r.seen_at).getTime() }));
    },

    /** Online but not heard from for `ms`: set offline (their choice to be online has lapsed). */
    async setOfflineUnseenFor(ms: number) {
      const rows = await db
        .update(technicianProfiles)
        .set({ online: false })
        .where(
          and(
            eq(technicianProfiles.online, true),
            // Never heard from since going online (seen_at null): counted from the row's last change.
            sql`coalesce(${technicianProfiles.seenAt}, ${technicianProfiles.updatedAt}) < ${ago(ms)}`,
          ),
        )
        .returning({ id: technicianProfiles.userId });
      return rows.map((r) => r.id);
    },
  };
}

export type PresenceRepo = ReturnType<typeof createPresenceRepo>;
