import { z } from 'zod';
import { type NotificationKind, notificationKinds } from '#shared/notifications';
import { CONTROL_CHARACTERS_MESSAGE, SINGLE_LINE_TEXT } from './text';

export { type NotificationKind, notificationKinds };

export const externalChannels = ['push', 'sms', 'email'] as const;
export type ExternalChannel = (typeof externalChannels)[number];
/** The in-app feed is always on; the others can be switched per event. */
export type NotificationChannel = 'inApp' | ExternalChannel;

/** Template parameters and where a tap leads. */
export type NotificationData = Record<string, string | number | null>;

export type Notification = {
  /** The feed position (a decimal string): `notification.stream` resumes after it. */
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** The screen a tap opens (a path of the PWA). */
  url: string;
  data: NotificationData;
  createdAt: string;
  read: boolean;
};

export type NotificationPage = { items: Notification[]; unread: number; nextCursor: string | null };

/** What `notification.stream` yields: a new notification, or the unread count after markRead elsewhere. */
export type NotificationStreamEvent =
  | { type: 'notification'; notification: Notification; unread: number }
  | { type: 'unread'; unread: number };

const feedId = z.string().regex(/^[1-9][0-9]{0,15}$/, 'Not a notification id');

export const listNotificationsInput = z
  .object({ cursor: feedId.nullish(), limit: z.number().int().min(1).max(100).optional() })
  .optional();

export const markReadInput = z.object({ ids: z.array(feedId).min(1).max(200) });

export const streamNotificationsInput = z.object({ lastEventId: feedId.nullish() }).optional();

/** A browser's PushSubscription.toJSON() (keys are base64url). */
export const pushSubscribeInput = z.object({
  endpoint: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
  keys: z.object({
    p256dh: z
      .string()
      .regex(/^[A-Za-z0-9_-]+={0,2}$/)
      .min(80)
      .max(120),
    auth: z
      .string()
      .regex(/^[A-Za-z0-9_-]+={0,2}$/)
      .min(16)
      .max(40),
  }),
});

// Any endpoint the client once had may be unsubscribed, but it is still untrusted text for the database.
export const pushUnsubscribeInput = z.object({
  endpoint: z.string().max(2048).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});

export type NotificationPreferences = {
  items: Array<{ kind: NotificationKind; channels: Record<ExternalChannel, boolean> }>;
};

export const setPreferencesInput = z.object({
  items: z
    .array(
      z.object({
        kind: z.enum(notificationKinds),
        channel: z.enum(externalChannels),
        enabled: z.boolean(),
      }),
    )
    .min(1)
    .max(notificationKinds.length * externalChannels.length)
    .refine((items) => new Set(items.map((i) => `${i.kind}:${i.channel}`)).size === items.length, {
      message: 'Each event and channel may appear once.',
    }),
});

/** E.164: + then 7–15 digits, no leading zero (spaces, dashes and brackets typed around it are dropped). */
export const e164 = z
  .string()
  .max(32)
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(
    z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'A phone number in international form, e.g. +2348012345678'),
  );

export const requestPhoneCodeInput = z.object({ phone: e164 });
export const verifyPhoneInput = z.object({ phone: e164, code: z.string().regex(/^[0-9]{6}$/, '6 digits') });
