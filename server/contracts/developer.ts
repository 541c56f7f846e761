// Issue 17: organisations, API keys and outgoing webhooks (pure zod: shared with the client).
import { z } from 'zod';
import { bookingHistoryEntrySchema, bookingSchema } from './booking';
import { instantSchema, moneySchema } from './catalog';
import { paymentMethods } from './payment';
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
export const WEBHOOK_TEST_EVENT = 'webhook.test' as const;

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

/** Owners change a member's role (never the last owner's). */
export const setOrgRoleInput = z.object({ orgId: z.uuid(), userId: z.uuid(), role: z.enum(orgRoles) });
/** Owners remove a member (never the last owner). */
export const removeOrgMemberInput = z.object({ orgId: z.uuid(), userId: z.uuid() });
/** The organisation's bookings (any member), newest first, a page at a time. */
export const orgBookingsInput = z.object({
  orgId: z.uuid(),
  /** `live` (default) or `test`: the sandbox's bookings (made with `fk_test_` keys). */
  mode: z.enum(['live', 'test']).optional(),
  cursor: z.string().max(200).optional(),
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

/**
 * Why an endpoint was switched off (it failed without a single success for the disable window, 3 days),
 * after the kind of its last failure: the receiver answered with an error status, with a redirect (never
 * followed), did not answer (timeout, refused, DNS), or its address became private or reserved.
 */
export const webhookDisabledReasons = ['http_error', 'redirect', 'unreachable', 'unsafe_target'] as const;
export type WebhookDisabledReason = (typeof webhookDisabledReasons)[number];

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(webhookEventTypes)),
  enabled: z.boolean(),
  /** Set when the endpoint was switched off after failing for too long (the notice): a code. */
  disabledReason: z.enum(webhookDisabledReasons).nullable(),
  /** The HTTP status of the last failed attempt before it was switched off (null: no answer). */
  disabledStatus: z.number().int().nullable(),
  disabledAt: instantSchema.nullable(),
  failingSince: instantSchema.nullable(),
  createdAt: instantSchema,
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;
/** `webhook.create`'s answer: the signing secret (`whsec_…`) is shown this once. */
export const createdWebhookSchema = z.object({ endpoint: webhookEndpointSchema, secret: z.string() });
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;
/** `webhook.delete`'s answer. */
export const deletedWebhookSchema = z.object({ id: z.string() });

export const webhookDeliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** At most the first 512 characters of the receiver's answer. */
  responsePrefix: z.string().nullable(),
  nextAttemptAt: instantSchema.nullable(),
  lastAttemptAt: instantSchema.nullable(),
  deliveredAt: instantSchema.nullable(),
  createdAt: instantSchema,
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;
export const webhookDeliveryPageSchema = z.object({
  items: z.array(webhookDeliverySchema),
  nextCursor: z.string().nullable(),
});
export type WebhookDeliveryPage = z.infer<typeof webhookDeliveryPageSchema>;

/** `data` of the booking events: the booking as `booking.get` shows it, and the change (a history row). */
export const webhookBookingDataSchema = z.object({
  booking: bookingSchema,
  change: bookingHistoryEntrySchema,
});
export type WebhookBookingData = z.infer<typeof webhookBookingDataSchema>;

/** `data` of `payment.succeeded` and `payment.refunded`: the payment as it is after the change. */
export const webhookPaymentDataSchema = z.object({
  payment: z.object({
    id: z.string(),
    bookingId: z.string(),
    method: z.enum(paymentMethods),
    status: z.enum(['paid', 'refunded', 'partially_refunded']),
    /** What was paid: the amount due plus the tip. */
    amount: moneySchema,
    tip: moneySchema,
    /** Refunded so far (all refunds together). */
    refunded: moneySchema,
    /** Fundi's reference for the payment (also on the receipt and at the gateway). */
    reference: z.string(),
    paidAt: instantSchema.nullable(),
  }),
  /** `payment.refunded`: the refund this event is about (`pending`: the gateway has not finished it). */
  refund: z
    .object({ id: z.string(), amount: moneySchema, status: z.enum(['succeeded', 'pending']) })
    .nullable(),
});
export type WebhookPaymentData = z.infer<typeof webhookPaymentDataSchema>;

/** `data` of the `webhook.test` event (`webhook.test({ id })`). */
export const webhookTestDataSchema = z.object({ endpointId: z.string(), test: z.literal(true) });

/** Each event type's `data`. */
export const webhookEventDataSchemas = {
  'booking.created': webhookBookingDataSchema,
  'booking.status_changed': webhookBookingDataSchema,
  'booking.assigned': webhookBookingDataSchema,
  'booking.completed': webhookBookingDataSchema,
  'booking.cancelled': webhookBookingDataSchema,
  'payment.succeeded': webhookPaymentDataSchema,
  'payment.refunded': webhookPaymentDataSchema,
  [WEBHOOK_TEST_EVENT]: webhookTestDataSchema,
} as const satisfies Record<WebhookEventType | typeof WEBHOOK_TEST_EVENT, z.ZodType>;

/** The JSON body of every webhook request (`data`: see `webhookEventDataSchemas`). */
export const webhookPayloadSchema = z.object({
  /** The event id: the same on every retry and replay (de-duplicate on it). */
  id: z.string(),
  type: z.string(),
  created: instantSchema,
  /** False for events of sandbox bookings (made with a test-mode `fk_test_` key). */
  livemode: z.boolean(),
  data: z.unknown(),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
