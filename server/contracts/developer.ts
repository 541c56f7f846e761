// Issue 17: organisations, API keys and outgoing webhooks (pure zod: shared with the client).
import { z } from 'zod';
import type { Money } from './catalog';
import type { PaymentMethod } from './payment';
import { CONTROL_CHARACTERS_MESSAGE, SINGLE_LINE_TEXT } from './text';

export const apiKeyScopes = ['bookings:read', 'bookings:write', 'tracking:read', 'webhooks:manage'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export const webhookEventTypes = [
  'booking.created',
  'booking.status_changed',
  'booking.assigned',
  'booking.completed',
  'booking.cancelled',
  'payment.succeeded',
  'payment.refunded',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];
/** Sent only by `webhook.test`: never subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export const orgRoles = ['owner', 'developer', 'member'] as const;
export type OrgRole = (typeof orgRoles)[number];
/** Who may create and revoke keys and manage webhooks. */
export const ORG_MANAGER_ROLES: readonly OrgRole[] = ['owner', 'developer'];

const name = z.string().trim().min(1).max(100).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE);

/** Which organisation (optional when the caller belongs to exactly one; an API key is its own). */
const orgRef = { orgId: z.uuid().optional() };

export const createOrgInput = z.object({ name });
export const addOrgMemberInput = z.object({
  orgId: z.uuid(),
  email: z.string().trim().max(254).pipe(z.email()),
  role: z.enum(orgRoles),
});

export const createApiKeyInput = z.object({
  ...orgRef,
  name,
  scopes: z.array(z.enum(apiKeyScopes)).min(1).max(apiKeyScopes.length),
  /** ISO instant; unset: the key does not expire. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** `test` keys (`fk_test_…`) are meant for the sandbox; default `live`. */
  mode: z.enum(['live', 'test']).optional(),
});
export const listApiKeysInput = z.object({ ...orgRef }).optional();
export const revokeApiKeyInput = z.object({ id: z.uuid() });

export const createWebhookInput = z.object({
  ...orgRef,
  url: z
    .string()
    .trim()
    .max(2048)
    .regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE)
    .pipe(z.url({ protocol: /^https?$/ })),
  events: z.array(z.enum(webhookEventTypes)).min(1).max(webhookEventTypes.length),
});
export const listWebhooksInput = z.object({ ...orgRef }).optional();
export const webhookIdInput = z.object({ id: z.uuid() });
export const webhookDeliveriesInput = z.object({ id: z.uuid(), cursor: z.string().max(200).optional() });
export const replayDeliveryInput = z.object({ deliveryId: z.uuid() });

export type Org = { id: string; name: string; role: OrgRole; createdAt: string };
export type OrgMember = { userId: string; name: string; email: string; role: OrgRole };

export type ApiKey = {
  id: string;
  name: string;
  mode: 'live' | 'test';
  /** The first characters of the secret (e.g. `fk_live_ab12`), to tell keys apart. */
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  usageCount: number;
};
/** `apiKey.create`'s answer: the secret is shown this once and never again. */
export type CreatedApiKey = { key: ApiKey; secret: string };

export type WebhookEndpoint = {
  id: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  /** Set when the endpoint was switched off after failing for too long (the notice). */
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  createdAt: string;
};
export type CreatedWebhook = { endpoint: WebhookEndpoint; secret: string };

export type WebhookDelivery = {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** At most the first 512 characters of the receiver's answer. */
  responsePrefix: string | null;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
};
export type WebhookDeliveryPage = { items: WebhookDelivery[]; nextCursor: string | null };

/** `data` of `payment.succeeded` and `payment.refunded`: the payment as it is after the change. */
export type WebhookPaymentData = {
  payment: {
    id: string;
    bookingId: string;
    method: PaymentMethod;
    status: 'paid' | 'refunded' | 'partially_refunded';
    /** What was paid: the amount due plus the tip. */
    amount: Money;
    tip: Money;
    /** Refunded so far (all refunds together). */
    refunded: Money;
    /** Fundi's reference for the payment (also on the receipt and at the gateway). */
    reference: string;
    paidAt: string | null;
  };
  /** `payment.refunded`: the refund this event is about (`pending`: the gateway has not finished it). */
  refund: { id: string; amount: Money; status: 'succeeded' | 'pending' } | null;
};

/** The JSON body of every webhook request. */
export type WebhookPayload = {
  id: string;
  type: string;
  created: string;
  /** False for events of sandbox bookings (made with a test-mode `fk_test_` key). */
  livemode: boolean;
  data: unknown;
};
