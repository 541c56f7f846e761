import { z } from 'zod';

/** A message body is 1–1000 characters once trimmed. */
export const CHAT_BODY_MAX = 1000;
/** What replaces a phone number or e-mail address in a masked message. */
export const CHAT_MASK = '•••';

// Control characters (tab and newline stay) and explicit bidi overrides/isolates, which would let a
// message reorder the text around it; the client gives each message its own direction (dir="auto").
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const UNWANTED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

export const chatBody = z
  .string()
  .max(CHAT_BODY_MAX * 4)
  .transform((s) => s.replace(/\r\n?/g, '\n').replace(UNWANTED, '').trim())
  .pipe(z.string().min(1, 'Write a message').max(CHAT_BODY_MAX, `At most ${CHAT_BODY_MAX} characters`));

/** Message ids are positive integers, as decimal strings on the wire. */
export const chatMessageId = z.string().regex(/^[1-9][0-9]{0,15}$/, 'Not a message id');

export const sendChatInput = z.object({
  bookingId: z.uuid(),
  body: chatBody,
  /** The sender's key for this message (e.g. a UUID): a retry with the same key returns the same message. */
  clientId: z
    .string()
    .trim()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, - and _'),
});

export const listChatInput = z.object({
  bookingId: z.uuid(),
  /** `nextCursor` of the previous page: older messages. */
  cursor: chatMessageId.nullish(),
  limit: z.number().int().min(1).max(100).optional(),
});

export const chatStreamInput = z.object({
  bookingId: z.uuid(),
  /** The id of the last event received: the stream resumes right after it. */
  lastEventId: z.string().max(50).nullish(),
});

export const markChatReadInput = z.object({ bookingId: z.uuid(), upTo: chatMessageId });

export type ChatRole = 'customer' | 'technician';

export type ChatMessage = {
  id: string;
  bookingId: string;
  sender: { id: string; role: ChatRole };
  clientId: string;
  /** Plain text, never HTML. Contact details are replaced with CHAT_MASK when `masked`. */
  body: string;
  /** Phone numbers or e-mail addresses in this message were hidden (read outside the active job). */
  masked: boolean;
  createdAt: string;
};

/** How far a participant has received and read the conversation (message ids; null: nothing yet). */
export type ChatReceipt = {
  bookingId: string;
  userId: string;
  deliveredUpTo: string | null;
  readUpTo: string | null;
};

export type ChatState = {
  bookingId: string;
  /** Who is reading: a participant, or an admin handling a dispute. */
  as: ChatRole | 'admin';
  /** New messages are accepted (from assignment until CHAT_OPEN_HOURS_AFTER_COMPLETION after completion). */
  canSend: boolean;
  /** Phone numbers and e-mail addresses are shown as written (only while the job is active). */
  contactsVisible: boolean;
  /** When sending stops, once the job is completed; null while it is active or when closed for good. */
  closesAt: string | null;
  /** The current participants' receipts. */
  receipts: ChatReceipt[];
};

/** `chat.list`: newest first; `nextCursor` pages back to older messages. */
export type ChatPage = {
  items: ChatMessage[];
  nextCursor: string | null;
  state: ChatState;
  /** Messages from the other side after the caller's read marker (0 for admins). */
  unread: number;
};

/**
 * `chat.stream` yields these, each `tracked` by the id of the newest message delivered so far, so a
 * client resuming with that `lastEventId` gets every later message once, in order. `state` comes first
 * on every (re)subscription and again whenever the booking changes; receipts as they move.
 */
export type ChatEvent =
  | { type: 'message'; message: ChatMessage }
  | { type: 'receipt'; receipt: ChatReceipt }
  | { type: 'state'; state: ChatState };
