import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { type DbOrTx, reusable } from '../../../db/client';
import {
  type ApiKeyRow,
  apiKeys,
  organizations,
  orgMembers,
  users,
  type WebhookEndpointRow,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from '../../../db/schema';
import type { OrgRole, WebhookDisabledReason } from '../../contracts/developer';

export type NewApiKey = typeof apiKeys.$inferInsert;
export type NewWebhookEndpoint = typeof webhookEndpoints.$inferInsert;

/** A claimed delivery with what sending it needs. */
export type ClaimedDelivery = {
  id: string;
  attempts: number;
  createdAt: Date;
  endpointId: string;
  url: string;
  secret: string;
  eventId: string;
  eventType: string;
  payload: unknown;
  /** False for a sandbox booking's events (a test-mode key's). */
  livemode: boolean;
  eventCreatedAt: Date;
};

/** Every booking change asks this (webhooks): its SQL is built once (db/client.ts `reusable`). */
const principalOrg = reusable<Array<{ id: string }>>('developer_principal_org', (db) =>
  db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.principalUserId, sql.placeholder('userId')))
    .limit(1),
);

export function createDeveloperRepo(db: DbOrTx) {
  return {
    /** Whether the account is an organisation's principal (the account its API keys act as). */
    async isPrincipal(userId: string) {
      const [row] = await principalOrg(db, { userId });
      return row !== undefined;
    },

    async createOrg(name: string, ownerId: string, principal: typeof users.$inferInsert) {
      return db.transaction(async (tx) => {
        const [p] = await tx.insert(users).values(principal).returning({ id: users.id });
        const [org] = await tx.insert(organizations).values({ name, principalUserId: p!.id }).returning();
        await tx.insert(orgMembers).values({ orgId: org!.id, userId: ownerId, role: 'owner' });
        return org!;
      });
    },

    async orgsOf(userId: string) {
      return db
        .select({ org: organizations, role: orgMembers.role })
        .from(orgMembers)
        .innerJoin(organizations, eq(organizations.id, orgMembers.orgId))
        .where(eq(orgMembers.userId, userId))
        .orderBy(organizations.createdAt);
    },

    async org(id: string) {
      const [row] = await db.select().from(organizations).where(eq(organizations.id, id)).limit(1);
      return row;
    },

    async members(orgId: string) {
      return db
        .select({ userId: users.id, name: users.name, email: users.email, role: orgMembers.role })
        .from(orgMembers)
        .innerJoin(users, eq(users.id, orgMembers.userId))
        .where(eq(orgMembers.orgId, orgId))
        .orderBy(orgMembers.createdAt);
    },

    /** The ids of the organisation's owners and developers (who run its integration). */
    async managers(orgId: string): Promise<string[]> {
      const rows = await db
        .select({ userId: orgMembers.userId })
        .from(orgMembers)
        .where(and(eq(orgMembers.orgId, orgId), inArray(orgMembers.role, ['owner', 'developer'])));
      return rows.map((r) => r.userId);
    },

    /** Locks the organisation's row (member changes queue here). */
    async lockOrg(orgId: string) {
      await db
        .select({ id: organizations.id })
        .from(organizations)
        .where(eq(organizations.id, orgId))
        .for('update');
    },

    async memberRole(orgId: string, userId: string): Promise<OrgRole | undefined> {
      const [row] = await db
        .select({ role: orgMembers.role })
        .from(orgMembers)
        .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)))
        .limit(1);
      return row?.role;
    },

    async ownerCount(orgId: string) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(orgMembers)
        .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.role, 'owner')));
      return row?.n ?? 0;
    },

    async deleteMember(orgId: string, userId: string) {
      await db.delete(orgMembers).where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)));
    },

    async upsertMember(orgId: string, userId: string, role: OrgRole) {
      await db
        .insert(orgMembers)
        .values({ orgId, userId, role })
        .onConflictDoUpdate({ target: [orgMembers.orgId, orgMembers.userId], set: { role } });
    },

    async userByEmail(email: string) {
      const [row] = await db
        .select({ id: users.id, role: users.role })
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email})`)
        .limit(1);
      return row;
    },

    async insertKey(values: NewApiKey): Promise<ApiKeyRow> {
      const [row] = await db.insert(apiKeys).values(values).returning();
      return row!;
    },

    async keys(orgId: string) {
      return db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).orderBy(desc(apiKeys.createdAt));
    },

    async keyById(id: string) {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
      return row;
    },

    /** The key for a secret's hash with its organisation's principal user. */
    async keyByHash(hash: string) {
      const [row] = await db
        .select({ key: apiKeys, user: users })
        .from(apiKeys)
        .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
        .innerJoin(users, eq(users.id, organizations.principalUserId))
        .where(eq(apiKeys.hash, hash))
        .limit(1);
      return row;
    },

    async revokeKey(id: string) {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning();
      return row;
    },

    /** Adds counted uses (one statement for every key with uses since the last flush). */
    async addUsage(rows: Array<{ id: string; count: number; lastUsedAt: Date }>) {
      if (rows.length === 0) return;
      const payload = JSON.stringify(rows.map((r) => [r.id, r.count, r.lastUsedAt.toISOString()]));
      await db.execute(sql`
        UPDATE api_keys k
        SET usage_count = k.usage_count + v.n,
            last_used_at = GREATEST(COALESCE(k.last_used_at, v.at), v.at)
        FROM (
          SELECT (e->>0)::uuid AS id, (e->>1)::bigint AS n, (e->>2)::timestamptz AS at
          FROM json_array_elements(${payload}::text::json) AS e
        ) v
        WHERE k.id = v.id`);
    },

    async insertEndpoint(values: NewWebhookEndpoint) {
      const [row] = await db.insert(webhookEndpoints).values(values).returning();
      return row!;
    },

    async endpoints(orgId: string) {
      return db
        .select()
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.orgId, orgId))
        .orderBy(desc(webhookEndpoints.createdAt));
    },

    async countEndpoints(orgId: string) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.orgId, orgId));
      return row?.n ?? 0;
    },

    async endpoint(id: string) {
      const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).limit(1);
      return row;
    },

    async deleteEndpoint(id: string) {
      await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    },

    /**
     * The outbox write, in the caller's transaction: for the organisation whose principal is
     * `principalUserId`, one event row per type some enabled endpoint listens to, and one pending delivery
     * per (endpoint, event). A single statement that writes nothing for anyone else's booking.
     */
    /**
     * `mode`: the events' livemode, or the booking whose `sandbox` flag decides it (a payment's change,
     * which does not carry it).
     */
    async enqueueForPrincipal(
      principalUserId: string,
      types: string[],
      payload: unknown,
      mode: { livemode: boolean } | { bookingId: string },
    ): Promise<number> {
      if (types.length === 0) return 0;
      const livemode =
        'livemode' in mode
          ? sql`${mode.livemode}::boolean`
          : sql`NOT coalesce((SELECT b.sandbox FROM bookings b WHERE b.id = ${mode.bookingId}), false)`;
      const list = sql.join(
        types.map((t) => sql`${t}`),
        sql`, `,
      );
      const result = await db.execute(sql`
        WITH ep AS (
          SELECT e.id, e.org_id, e.events
          FROM webhook_endpoints e
          JOIN organizations o ON o.id = e.org_id
          WHERE o.principal_user_id = ${principalUserId} AND e.enabled AND e.events && ARRAY[${list}]::text[]
        ),
        ev AS (
          INSERT INTO webhook_events (org_id, type, payload, livemode)
          SELECT (SELECT org_id FROM ep LIMIT 1), t, ${JSON.stringify(payload)}::jsonb, ${livemode}
          FROM unnest(ARRAY[${list}]::text[]) AS t
          WHERE EXISTS (SELECT 1 FROM ep WHERE t = ANY (ep.events))
          RETURNING id, type
        )
        INSERT INTO webhook_deliveries (endpoint_id, event_id)
        SELECT ep.id, ev.id FROM ep JOIN ev ON ev.type = ANY (ep.events)
        RETURNING 1`);
      // postgres.js answers with the rows, PGlite with { rows }.
      const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
      return rows?.length ?? 0;
    },

    /** An event for one endpoint (webhook.test) or a copy of a delivery (replay), claimed by the caller. */
    async insertClaimedDelivery(endpointId: string, eventId: string, leaseMs: number) {
      const [row] = await db
        .insert(webhookDeliveries)
        .values({
          endpointId,
          eventId,
          attempts: 1,
          lastAttemptAt: new Date(),
          lockedUntil: new Date(Date.now() + leaseMs),
        })
        .returning({ id: webhookDeliveries.id });
      return row!.id;
    },

    async insertEvent(orgId: string, type: string, payload: unknown) {
      const [row] = await db.insert(webhookEvents).values({ orgId, type, payload }).returning();
      return row!;
    },

    /**
     * Claims up to `limit` due deliveries (FOR UPDATE SKIP LOCKED: workers on several nodes never take the
     * same row) with a lease: a worker that dies mid-send leaves the row to be taken again once it lapses.
     */
    async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
      const now = new Date();
      const due = db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(
          and(
            eq(webhookDeliveries.status, 'pending'),
            lte(webhookDeliveries.nextAttemptAt, now),
            or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, now)),
            eq(webhookEndpoints.enabled, true),
          ),
        )
        .orderBy(webhookDeliveries.nextAttemptAt)
        .limit(limit)
        .for('update', { of: webhookDeliveries, skipLocked: true });
      const claimed = await db
        .update(webhookDeliveries)
        .set({
          lockedUntil: new Date(now.getTime() + leaseMs),
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          lastAttemptAt: now,
        })
        .where(inArray(webhookDeliveries.id, due))
        .returning({ id: webhookDeliveries.id });
      if (claimed.length === 0) return [];
      return this.deliveriesToSend(claimed.map((c) => c.id));
    },

    async deliveriesToSend(ids: string[]): Promise<ClaimedDelivery[]> {
      return db
        .select({
          id: webhookDeliveries.id,
          attempts: webhookDeliveries.attempts,
          createdAt: webhookDeliveries.createdAt,
          endpointId: webhookEndpoints.id,
          url: webhookEndpoints.url,
          secret: webhookEndpoints.secret,
          eventId: webhookEvents.id,
          eventType: webhookEvents.type,
          payload: webhookEvents.payload,
          livemode: webhookEvents.livemode,
          eventCreatedAt: webhookEvents.createdAt,
        })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(inArray(webhookDeliveries.id, ids));
    },

    async recordAttempt(
      id: string,
      patch: Partial<typeof webhookDeliveries.$inferInsert>,
      endpoint: {
        id: string;
        ok: boolean;
        disableAfterMs: number;
        reason: WebhookDisabledReason;
        status: number | null;
      },
      /** Runs in the transaction that switched the endpoint off (the owners' notice commits with it). */
      onDisabled?: (tx: DbOrTx, ep: WebhookEndpointRow) => Promise<void>,
    ): Promise<{ disabled: boolean }> {
      return db.transaction(async (tx) => {
        await tx
          .update(webhookDeliveries)
          .set({ ...patch, lockedUntil: null })
          .where(eq(webhookDeliveries.id, id));
        if (endpoint.ok) {
          await tx
            .update(webhookEndpoints)
            // A success (e.g. a replay once the receiver is fixed) also switches a disabled endpoint back on.
            .set({
              failingSince: null,
              enabled: true,
              disabledAt: null,
              disabledReason: null,
              disabledStatus: null,
            })
            .where(
              and(
                eq(webhookEndpoints.id, endpoint.id),
                or(sql`${webhookEndpoints.failingSince} IS NOT NULL`, eq(webhookEndpoints.enabled, false)),
              ),
            );
          return { disabled: false };
        }
        const [ep] = await tx
          .update(webhookEndpoints)
          .set({ failingSince: sql`COALESCE(${webhookEndpoints.failingSince}, now())` })
          .where(eq(webhookEndpoints.id, endpoint.id))
          .returning();
        if (ep && !ep.enabled) {
          // Disabled meanwhile (by another attempt's failure, or before a test or replay): nothing of it stays
          // queued, as when it was switched off; a success or a replay sends again.
          if (patch.status === 'pending')
            await tx
              .update(webhookDeliveries)
              .set({ status: 'failed', lastError: 'Endpoint disabled' })
              .where(eq(webhookDeliveries.id, id));
          return { disabled: false };
        }
        if (!ep?.failingSince) return { disabled: false };
        if (Date.now() - ep.failingSince.getTime() < endpoint.disableAfterMs) return { disabled: false };
        const [off] = await tx
          .update(webhookEndpoints)
          .set({
            enabled: false,
            disabledAt: new Date(),
            disabledReason: endpoint.reason,
            disabledStatus: endpoint.status,
          })
          .where(eq(webhookEndpoints.id, endpoint.id))
          .returning();
        // What was still queued for it is given up (the log says so); a replay can send it again.
        await tx
          .update(webhookDeliveries)
          .set({ status: 'failed', lastError: 'Endpoint disabled', lockedUntil: null })
          .where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.status, 'pending')));
        if (off && onDisabled) await onDisabled(tx, off);
        return { disabled: true };
      });
    },

    async deliveries(endpointId: string, after: { at: Date; id: string } | undefined, limit: number) {
      return (
        db
          .select({ d: webhookDeliveries, type: webhookEvents.type })
          .from(webhookDeliveries)
          .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
          .where(
            and(
              eq(webhookDeliveries.endpointId, endpointId),
              after
                ? sql`(date_trunc('milliseconds', ${webhookDeliveries.createdAt}), ${webhookDeliveries.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
                : undefined,
            ),
          )
          // Milliseconds, as the cursor carries them.
          .orderBy(
            desc(sql`date_trunc('milliseconds', ${webhookDeliveries.createdAt})`),
            desc(webhookDeliveries.id),
          )
          .limit(limit)
      );
    },

    async delivery(id: string) {
      const [row] = await db
        .select({ d: webhookDeliveries, orgId: webhookEndpoints.orgId, type: webhookEvents.type })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(eq(webhookDeliveries.id, id))
        .limit(1);
      return row;
    },
  };
}

export type DeveloperRepo = ReturnType<typeof createDeveloperRepo>;
