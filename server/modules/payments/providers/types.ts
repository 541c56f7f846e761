import { timingSafeEqual } from 'node:crypto';
import type { OnlineMethod } from '../../../contracts/payment';

/** The one interface every gateway sits behind: a new gateway (Fawry, Opay, Flutterwave) is one file. */
export interface PaymentProvider {
  readonly name: OnlineMethod;
  /** Starts a hosted checkout for `amount` (minor units) and tells where to send the customer. */
  initialize(input: InitializeInput): Promise<{ redirectUrl: string; providerRef: string }>;
  /** Asks the gateway's API what became of a payment: the only answer ever trusted to mark one paid. */
  verify(p: { reference: string; providerRef: string | null }): Promise<VerifyResult>;
  refund(p: RefundInput): Promise<{ status: 'succeeded' | 'pending' | 'failed'; providerRef: string | null }>;
  /**
   * Checks the signature of a webhook delivery (constant time) and says what it is about. Throws a
   * WebhookSignatureError before anything is parsed or stored when the signature is missing or wrong.
   */
  parseWebhook(req: WebhookRequest): WebhookEvent;
}

export type InitializeInput = {
  paymentId: string;
  bookingId: string;
  reference: string;
  amount: number;
  currency: string;
  description: string;
  customer: { email: string; name: string; phone: string | null };
  /** Where the gateway sends the customer back (the booking in the PWA). */
  returnUrl: string;
  /** Where the gateway posts its webhook (Paymob takes it per intention; the others from their dashboard). */
  notifyUrl: string;
};

export type VerifyResult = {
  status: 'paid' | 'failed' | 'pending';
  /** As the gateway reports it: compared with what is due before anything is accepted. */
  amount: number | null;
  currency: string | null;
  /** The gateway's fee in the same currency, when its API says (Paystack `fees`). */
  fee: number | null;
  providerRef: string | null;
};

export type RefundInput = {
  refundId: string;
  reference: string;
  providerRef: string | null;
  amount: number;
  currency: string;
  reason: string;
};

export type WebhookRequest = {
  rawBody: Buffer;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The query string, without `?`. */
  query: string;
};

export type WebhookEvent = {
  /** Unique per gateway: the event is stored once under (provider, eventId). */
  eventId: string;
  type: string;
  /** `settle`: verify the payment it names and record the outcome; `ignore`: acknowledge only. */
  action: 'settle' | 'ignore';
  reference: string | null;
  providerRef: string | null;
  payload: unknown;
};

export class WebhookSignatureError extends Error {
  constructor(
    public readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** A gateway answered something we cannot use (down, 5xx, malformed): the caller may retry later. */
export class GatewayError extends Error {
  constructor(
    public readonly provider: string,
    message: string,
    public readonly status: number | null = null,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'GatewayError';
  }
}

/** Hex digests compared in constant time (different lengths are simply unequal). */
export function hexEquals(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given.trim().toLowerCase(), 'hex');
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

/** JSON over fetch with a timeout; non-2xx and non-JSON answers become GatewayError. */
export async function fetchJson(
  provider: string,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: unknown },
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (e) {
    throw new GatewayError(provider, `unreachable (${(e as Error).message})`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new GatewayError(provider, `answered ${res.status} with non-JSON`, res.status);
  }
  if (!res.ok) {
    const msg =
      (json as { message?: unknown; detail?: unknown } | null)?.message ??
      (json as { detail?: unknown })?.detail;
    throw new GatewayError(provider, `answered ${res.status}${msg ? `: ${String(msg)}` : ''}`, res.status);
  }
  return json;
}
