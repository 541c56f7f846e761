import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../../../db/client';
import type { BookingRow, UserRow } from '../../../db/schema';
import type { InvoiceRow, PaymentRow } from '../../../db/schema/money';
import type { WebhookPaymentData } from '../../contracts/developer';
import type {
  BookingPayment,
  CheckoutResult,
  checkoutInput,
  Extra,
  LineItem,
  OnlineMethod,
  PaymentMethod,
  PaymentMethods,
  PaymentState,
  Receipt,
  RefundResult,
} from '../../contracts/payment';
import type { JobPhoto } from '../../contracts/upload';
import { DomainError } from '../../lib/errors';
import { log } from '../../lib/log';
import type { Bus } from '../../realtime/bus';
import { streamEvent } from '../../realtime/feed';
import { createAuditRepo } from '../audit/audit.repo';
import { accounts, type Ledger, type Posting } from '../ledger/ledger.service';
import type { MarketService } from '../market/market.service';
import { toExtra } from './extras.service';
import { createPaymentsRepo, type PaymentsRepo } from './payments.repo';
import { cancellationFee, priceCompletedJob, splitRefund } from './pricing';
import type { PaymentProvider, WebhookRequest } from './providers/types';
import { GatewayError, WebhookSignatureError } from './providers/types';

type Caller = Pick<UserRow, 'id' | 'role'>;
type BookingWithService = NonNullable<Awaited<ReturnType<PaymentsRepo['booking']>>>;

type Deps = {
  db: Db;
  ledger: Ledger;
  providers: Partial<Record<OnlineMethod, PaymentProvider>>;
  /** The deployment's market (catalog and bookings are per market). */
  market: string;
  /** Where gateways send customers back and post webhooks; resolved per call (tests learn the port late). */
  publicUrl: () => string;
  /** Each market's money rules (payment methods, cancellation fee, unpaid grace): its cached row. */
  markets: Pick<MarketService, 'moneyPolicy'>;
  now?: () => Date;
  /** Tells `payment.events` subscribers (on every node) that a booking's payment changed. */
  bus?: Bus;
  /** In the transaction that records it: a payment was received (the customer's receipt, issue 11 §2). */
  paid?: (tx: DbOrTx, e: MoneyEvent & { paymentId: string; at: Date }) => Promise<void>;
  /** In the transaction that records it: a refund was issued (the customer is told, issue 11 §2). */
  refunded?: (tx: DbOrTx, e: MoneyEvent & { refundId: string }) => Promise<void>;
  /** Webhook events (issue 17 §2), written in the transaction of the payment change. */
  outbox?: PaymentOutbox;
  /** The booking's before/after photos for its receipt (issue 13 §5); none when uploads are not wired. */
  photos?: (bookingId: string) => Promise<JobPhoto[]>;
};

/** What the customer is told of a payment or refund. */
export type MoneyEvent = {
  bookingId: string;
  customerId: string;
  amount: number;
  currency: string;
  service: { nameEn: string; nameAr: string };
};

/** A payment change an organisation's webhooks hear about. */
export type PaymentChange = {
  type: 'payment.succeeded' | 'payment.refunded';
  /** The booking's customer (an organisation's principal, or a person: then nothing is written). */
  customerId: string;
  bookingId: string;
  data: WebhookPaymentData;
};

/** Work committed with every payment change (the webhook outbox rows), like bookings' ChangeOutbox. */
export type PaymentOutbox = {
  /** Inside the transaction of the change. */
  paymentChanged(tx: DbOrTx, change: PaymentChange): Promise<void>;
  /** After that transaction committed: what it wrote can be delivered now. */
  committed(bookingId: string): void;
};

/** The webhook view of a payment that is paid (or refunded since). */
export function toWebhookPayment(
  p: PaymentRow,
  refund: WebhookPaymentData['refund'] = null,
): WebhookPaymentData {
  return {
    payment: {
      id: p.id,
      bookingId: p.bookingId,
      method: p.method,
      // Called only once the payment is paid (or refunded since): the other states never reach here.
      status: p.status as WebhookPaymentData['payment']['status'],
      amount: { amount: p.amount, currency: p.currency },
      tip: { amount: p.tip, currency: p.currency },
      refunded: { amount: p.refundedAmount, currency: p.currency },
      reference: p.reference,
      paidAt: p.paidAt?.toISOString() ?? null,
    },
    refund,
  };
}

/** Where a booking's payment changes are announced (the message is only a nudge: subscribers re-read). */
export const paymentChannel = (bookingId: string) => `payment:${bookingId}`;

const isOnline = (m: PaymentMethod): m is OnlineMethod => m !== 'cash';
const money = (amount: number, currency: string) => ({ amount, currency });

/** The customer-facing state of a booking's payment row. */
function stateOf(p: PaymentRow | undefined): PaymentState {
  if (!p || p.status === 'cancelled') return 'unpaid';
  return p.status;
}

export function createPaymentsService(deps: Deps) {
  const { db, ledger, providers } = deps;
  const now = deps.now ?? (() => new Date());
  const policy = (market: string, currency: string) => deps.markets.moneyPolicy(market, currency);
  const repo = createPaymentsRepo(db);
  /** After a commit: live subscribers re-read, and the webhook worker sends what the change wrote. */
  const notify = (bookingId: string) => {
    deps.bus?.publish(paymentChannel(bookingId), { bookingId });
    deps.outbox?.committed(bookingId);
  };
  /** In the paying transaction: `payment.succeeded` for the booking's organisation, if it listens. */
  const succeeded = (tx: DbOrTx, p: PaymentRow) =>
    deps.outbox?.paymentChanged(tx, {
      type: 'payment.succeeded',
      customerId: p.customerId,
      bookingId: p.bookingId,
      data: toWebhookPayment(p),
    });

  /** In which role `user` may see a booking's money; NOT_FOUND for anyone else (existence never leaks). */
  function roleOn(b: BookingRow | undefined, user: Caller): 'customer' | 'technician' | 'admin' {
    if (b) {
      if (user.role === 'admin') return 'admin';
      if (b.customerId === user.id) return 'customer';
      if (b.technicianId === user.id) return 'technician';
    }
    throw new DomainError('NOT_FOUND', 'Booking not found.');
  }

  async function load(bookingId: string, user: Caller) {
    const row = await repo.booking(bookingId);
    const as = roleOn(row?.booking, user);
    return { row: row!, as };
  }

  async function offered(market: string, currency: string): Promise<PaymentMethod[]> {
    return (await policy(market, currency)).methods.filter((m) => m === 'cash' || Boolean(providers[m]));
  }

  /**
   * The bill of a finished job, made once: the first caller (the completion hook, or whoever needs it
   * first) inserts it and posts its journal; everyone else reads it. Inside the caller's transaction.
   */
  async function ensureInvoice(
    tx: DbOrTx,
    row: BookingWithService,
    /** `justCompleted`: in the completing transaction, where no bill can exist yet (the insert checks). */
    opts: { technicianMinutes?: number | null; justCompleted?: boolean } = {},
  ): Promise<InvoiceRow | undefined> {
    const r = createPaymentsRepo(tx);
    const existing = opts.justCompleted ? undefined : await r.invoice(row.booking.id);
    if (existing) return existing;
    const b = row.booking;
    if (!b.completedAt || !b.technicianId || !['completed', 'disputed'].includes(b.status)) return undefined;
    const extras = (await r.extras(b.id)).filter((e) => e.status === 'approved').map((e) => e.amount);
    const bill = priceCompletedJob({
      priceUnit: row.service.priceUnit,
      priceTotal: b.priceTotal,
      commission: b.commission,
      estimatedMinutes: row.service.durationMinutes,
      startedAt: b.startedAt,
      completedAt: b.completedAt,
      technicianMinutes: opts.technicianMinutes ?? null,
      extras,
    });
    const inserted = await r.insertInvoice({
      bookingId: b.id,
      kind: 'job',
      currency: b.currency,
      serviceAmount: bill.serviceAmount,
      extrasAmount: bill.extrasAmount,
      feeAmount: 0,
      total: bill.total,
      commission: bill.commission,
      technicianShare: bill.technicianShare,
      billedMinutes: bill.billedMinutes,
    });
    if (!inserted) return r.invoice(b.id);
    await ledger.post(tx, {
      key: `invoice:${b.id}`,
      kind: 'job',
      bookingId: b.id,
      memo: row.service.nameEn,
      entries: [
        {
          account: accounts.customer(b.customerId),
          currency: b.currency,
          amount: bill.total,
          line: 'charge',
        },
        {
          account: accounts.technician(b.technicianId),
          currency: b.currency,
          amount: -bill.technicianShare,
          line: 'earnings',
        },
        { account: accounts.commission, currency: b.currency, amount: -bill.commission, line: 'commission' },
      ],
    });
    return inserted;
  }

  /** The invoice, made now if the job is done; CONFLICT while nothing is due yet. */
  async function requireInvoice(tx: DbOrTx, row: BookingWithService): Promise<InvoiceRow> {
    const inv = await ensureInvoice(tx, row);
    if (!inv) throw new DomainError('CONFLICT', 'Nothing is due yet: the job is not finished.');
    if (inv.total <= 0) throw new DomainError('CONFLICT', 'Nothing is due for this booking.');
    return inv;
  }

  /**
   * Unspent account credit (cash refunds become credit, issue 10 §4) the customer can apply to `bookingId`.
   * Spending it (checkout, cash) happens under lockCustomerCredit, so two bookings cannot spend it twice.
   */
  function creditOf(r: PaymentsRepo, customerId: string, currency: string, bookingId: string) {
    return r.creditAvailable({ id: customerId, account: accounts.customer(customerId) }, currency, bookingId);
  }

  function itemsOf(
    inv: InvoiceRow,
    extras: { label: string; amount: number; status: string }[],
    tip: number,
    credit = 0,
  ) {
    const items: LineItem[] = [];
    if (inv.kind === 'cancellation_fee') {
      items.push({
        kind: 'cancellation_fee',
        label: 'Cancellation fee',
        amount: money(inv.feeAmount, inv.currency),
      });
    } else {
      const label = inv.billedMinutes ? `Service (${inv.billedMinutes} min)` : 'Service';
      items.push({ kind: 'service', label, amount: money(inv.serviceAmount, inv.currency) });
      for (const e of extras.filter((x) => x.status === 'approved'))
        items.push({ kind: 'extra', label: e.label, amount: money(e.amount, inv.currency) });
    }
    if (credit > 0)
      items.push({ kind: 'credit', label: 'Account credit', amount: money(-credit, inv.currency) });
    if (tip > 0) items.push({ kind: 'tip', label: 'Tip', amount: money(tip, inv.currency) });
    return items;
  }

  async function view(row: BookingWithService): Promise<BookingPayment & { extras: Extra[] }> {
    const b = row.booking;
    const [inv, p, extras] = await Promise.all([
      db.transaction((tx) => ensureInvoice(tx, row)),
      repo.latestPayment(b.id),
      repo.extras(b.id),
    ]);
    const live = p && !['failed', 'cancelled'].includes(p.status) ? p : undefined;
    const state: PaymentState = live ? stateOf(live) : p?.status === 'failed' ? 'failed' : 'unpaid';
    const c = b.currency;
    // Account credit: what a live payment applied, else what would apply if the customer paid now.
    const credit = !inv
      ? 0
      : live
        ? inv.total - live.due
        : Math.min(inv.total, await creditOf(repo, b.customerId, c, b.id));
    return {
      bookingId: b.id,
      status: inv && inv.total === 0 && !live ? 'paid' : state,
      due: inv ? money(inv.total - credit, c) : null,
      tip: live ? money(live.tip, c) : null,
      earnings: inv ? money(inv.technicianShare + (live?.tip ?? 0), c) : null,
      paid: live && live.status !== 'pending' ? money(live.amount, c) : null,
      refunded: live?.refundedAmount ? money(live.refundedAmount, c) : null,
      method: live?.method ?? p?.method ?? null,
      paymentId: live?.id ?? p?.id ?? null,
      redirectUrl: live?.status === 'pending' ? live.redirectUrl : null,
      paidAt: live?.paidAt?.toISOString() ?? null,
      items: inv ? itemsOf(inv, extras, live?.tip ?? 0, credit) : [],
      extras: extras.map(toExtra),
    };
  }

  /**
   * Checkouts of one payment starting at once on this node share one initialize: run side by side, the
   * provider refuses the second (Paystack: "Duplicate Transaction Reference") before the first has stored
   * its page, and that customer was told the provider was not answering.
   */
  const initializing = new Map<string, Promise<PaymentRow>>();

  /** Starts (or re-reads) the hosted checkout of a pending online payment. */
  function initialize(p: PaymentRow, row: BookingWithService): Promise<PaymentRow> {
    if (!isOnline(p.method) || p.redirectUrl || p.status !== 'pending') return Promise.resolve(p);
    const running = initializing.get(p.id);
    if (running) return running;
    const work = initializeOnce(p, row).finally(() => initializing.delete(p.id));
    initializing.set(p.id, work);
    return work;
  }

  async function initializeOnce(p: PaymentRow, row: BookingWithService): Promise<PaymentRow> {
    // `p` was read before this flight began: a flight that ended meanwhile (it stored its page, then left
    // `initializing`) is not in the map, and `p` does not show its page. Read again inside the flight.
    const fresh = await repo.payment(p.id);
    if (!fresh || fresh.redirectUrl || fresh.status !== 'pending') return fresh ?? p;
    if (!isOnline(p.method)) return p;
    const provider = providers[p.method];
    if (!provider) throw new DomainError('CONFLICT', 'This payment method is not available.');
    const customer = await repo.user(p.customerId);
    const base = deps.publicUrl().replace(/\/+$/, '');
    try {
      const r = await provider.initialize({
        paymentId: p.id,
        bookingId: p.bookingId,
        reference: p.reference,
        amount: p.amount,
        currency: p.currency,
        description: `Fundi: ${row.service.nameEn}`,
        customer: { email: customer!.email, name: customer!.name, phone: customer!.phone },
        returnUrl: `${base}/bookings/${p.bookingId}?payment=${p.id}`,
        notifyUrl: `${base}/webhooks/${p.method}`,
      });
      await repo.setRedirect(p.id, r.redirectUrl, r.providerRef);
    } catch (e) {
      // A racing initialize (another node's) may have stored its page meanwhile, or be about to: that
      // one is the answer.
      for (let i = 0; i < 5; i++) {
        const again = await repo.payment(p.id);
        if (again?.redirectUrl) return again;
        if (!(e instanceof GatewayError)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (e instanceof GatewayError) {
        log.warn('payment initialize failed', { provider: p.method, error: e.message });
        throw new DomainError('CONFLICT', 'The payment provider is not answering. Try again in a moment.');
      }
      throw e;
    }
    return (await repo.payment(p.id))!;
  }

  /**
   * What the gateway's API says about a payment, recorded once. Run by webhooks and by the customer's
   * return to the app, in any number at the same moment: the payment row is locked, a payment that is
   * not pending is left alone, and the journal's unique key would refuse a second posting anyway.
   * A gateway amount or currency that differs from what is due is flagged for an admin, never accepted.
   */
  async function settle(paymentId: string): Promise<PaymentRow | undefined> {
    const before = await repo.payment(paymentId);
    if (!before || !isOnline(before.method) || !['pending', 'cancelled'].includes(before.status))
      return before;
    const provider = providers[before.method];
    if (!provider) return before;
    const v = await provider.verify({ reference: before.reference, providerRef: before.providerRef });
    const after = await db.transaction(async (tx) => {
      const r = createPaymentsRepo(tx);
      const p = (await r.payment(paymentId, { forUpdate: true }))!;
      if (!['pending', 'cancelled'].includes(p.status)) return p;
      if (v.status === 'failed')
        return p.status === 'pending' ? r.updatePayment(p.id, { status: 'failed' }) : p;
      if (v.status !== 'paid') return p;
      if (v.amount !== p.amount || v.currency !== p.currency) {
        const flag = `gateway reports ${v.amount ?? '?'} ${v.currency ?? '?'}, expected ${p.amount} ${p.currency}`;
        log.warn('payment amount mismatch', { paymentId: p.id, flag });
        return p.flag === flag ? p : r.updatePayment(p.id, { flag });
      }
      if (p.status === 'cancelled') {
        // Paid on a checkout the customer had replaced: the money is there, an admin decides.
        const live = await r.livePayment(p.bookingId);
        if (live) {
          const flag = 'paid after it was replaced by another payment; refund or reconcile';
          return p.flag === flag ? p : r.updatePayment(p.id, { flag });
        }
      }
      const paid = await r.updatePayment(p.id, {
        status: 'paid',
        paidAt: now(),
        gatewayFee: v.fee,
      });
      const row = (await r.booking(p.bookingId))!;
      const b = row.booking;
      const entries: Posting[] = [
        { account: accounts.gateway(p.method), currency: p.currency, amount: p.amount, line: 'payment' },
        { account: accounts.customer(p.customerId), currency: p.currency, amount: -p.due, line: 'payment' },
      ];
      if (p.tip > 0 && b.technicianId)
        entries.push({
          account: accounts.technician(b.technicianId),
          currency: p.currency,
          amount: -p.tip,
          line: 'tip',
        });
      else if (p.tip > 0)
        entries.push({
          account: accounts.customer(p.customerId),
          currency: p.currency,
          amount: -p.tip,
          line: 'tip',
        });
      if (v.fee && v.fee > 0) {
        entries.push(
          { account: accounts.gatewayFees, currency: p.currency, amount: v.fee, line: 'fee' },
          { account: accounts.gateway(p.method), currency: p.currency, amount: -v.fee, line: 'fee' },
        );
      }
      await ledger.post(tx, {
        key: `payment:${p.id}:paid`,
        kind: 'payment',
        bookingId: p.bookingId,
        paymentId: p.id,
        memo: `${p.method} ${p.reference}`,
        entries,
      });
      await deps.paid?.(tx, {
        paymentId: p.id,
        bookingId: p.bookingId,
        customerId: p.customerId,
        amount: p.amount,
        currency: p.currency,
        at: paid.paidAt ?? now(),
        service: row.service,
      });
      await succeeded(tx, paid);
      return paid;
    });
    if (after.status !== before.status || after.flag !== before.flag) notify(after.bookingId);
    return after;
  }

  return {
    /**
     * Completion hook: makes the bill and posts its journal inside the completing transaction. `row` is
     * what the completing change returned (the booking as it now is, with its service), so nothing is read
     * again; the bill is new unless the insert finds one (issue 18: a completion's money was 6 statements).
     */
    async onCompleted(tx: DbOrTx, row: BookingWithService, opts: { technicianMinutes?: number | null } = {}) {
      return ensureInvoice(tx, row, { ...opts, justCompleted: true });
    },

    /** What cancelling `booking` at `at` would cost the customer (for the cancel dialog, and the hook). */
    async cancellationFee(booking: BookingRow, at: Date = now()) {
      const row = await repo.booking(booking.id);
      const p = await policy(row?.service.market ?? deps.market, booking.currency);
      const f = cancellationFee(booking, at, p);
      return { ...f, currency: booking.currency };
    },

    /**
     * Cancellation hook, inside the cancelling transaction, with the row as it was before the cancel:
     * a customer's late cancellation becomes an invoice (most of it the technician's) and its journal.
     */
    async onCancelled(
      tx: DbOrTx,
      before: BookingRow,
      actor: 'customer' | 'admin' | 'technician' | 'system',
      at: Date = now(),
    ) {
      if (actor !== 'customer' || !before.technicianId) return undefined;
      const r = createPaymentsRepo(tx);
      const row = await r.booking(before.id);
      const f = cancellationFee(
        before,
        at,
        await policy(row?.service.market ?? deps.market, before.currency),
      );
      if (f.fee <= 0) return undefined;
      const inserted = await r.insertInvoice({
        bookingId: before.id,
        kind: 'cancellation_fee',
        currency: before.currency,
        serviceAmount: 0,
        extrasAmount: 0,
        feeAmount: f.fee,
        total: f.fee,
        commission: f.commission,
        technicianShare: f.technicianShare,
        billedMinutes: null,
      });
      if (!inserted) return r.invoice(before.id);
      await ledger.post(tx, {
        key: `invoice:${before.id}`,
        kind: 'cancellation_fee',
        bookingId: before.id,
        memo: 'Cancellation fee',
        entries: [
          {
            account: accounts.customer(before.customerId),
            currency: before.currency,
            amount: f.fee,
            line: 'charge',
          },
          {
            account: accounts.technician(before.technicianId),
            currency: before.currency,
            amount: -f.technicianShare,
            line: 'earnings',
          },
          {
            account: accounts.commission,
            currency: before.currency,
            amount: -f.commission,
            line: 'commission',
          },
        ],
      });
      return inserted;
    },

    /** Refuses a new booking while one is unpaid beyond the market's grace period (call it in booking.create). */
    async assertCanBook(customerId: string, tx?: DbOrTx) {
      const hours = (await policy(deps.market, 'USD')).unpaidGraceHours;
      // Inside the caller's transaction when given (booking.create: no transaction of its own).
      const [unpaid] = await (tx ? createPaymentsRepo(tx) : repo).unpaidBefore(
        customerId,
        new Date(now().getTime() - hours * 3600_000),
      );
      if (unpaid) {
        throw new DomainError('CONFLICT', 'Please pay for your last booking before booking again.', {
          reason: 'UNPAID_BOOKING',
          bookingId: unpaid.id,
        });
      }
    },

    async methods(bookingId: string | undefined, user: Caller): Promise<PaymentMethods> {
      let market = deps.market;
      let currency = (await policy(market, 'USD')).currency;
      if (bookingId) {
        const { row } = await load(bookingId, user);
        market = row.service.market;
        currency = row.booking.currency;
      }
      return {
        market,
        currency,
        methods: (await offered(market, currency)).map((m) => ({ method: m, online: isOnline(m) })),
      };
    },

    async get(bookingId: string, user: Caller) {
      const { row } = await load(bookingId, user);
      return view(row);
    },

    /** The customer back from the hosted page: asks the gateway now instead of waiting for its webhook. */
    async verify(bookingId: string, user: Caller) {
      const { row, as } = await load(bookingId, user);
      if (as === 'technician') throw new DomainError('FORBIDDEN_ROLE', 'Only the customer can do this.');
      const p = await repo.livePayment(bookingId);
      if (p?.status === 'pending') await settle(p.id);
      return view(row);
    },

    async checkout(user: Caller, input: z.output<typeof checkoutInput>): Promise<CheckoutResult> {
      const { row, as } = await load(input.bookingId, user);
      if (as !== 'customer')
        throw new DomainError('FORBIDDEN_ROLE', 'Only the customer can pay for a booking.');
      const b = row.booking;
      // A sandbox booking (test-mode key) never reaches a real gateway: no money moves in test mode.
      if (b.sandbox && isOnline(input.method))
        throw new DomainError('VALIDATION', 'Sandbox bookings are not paid online.', {
          reason: 'SANDBOX_BOOKING',
          method: input.method,
        });
      if (!(await offered(row.service.market, b.currency)).includes(input.method))
        throw new DomainError('VALIDATION', 'This payment method is not available here.', {
          method: input.method,
        });
      const tip = input.method === 'cash' ? 0 : (input.tip ?? 0);
      const p = await db.transaction(async (tx) => {
        const r = createPaymentsRepo(tx);
        const inv = await requireInvoice(tx, row);
        // The invoice row is the booking's payment mutex: checkouts and cash collection queue here.
        await r.invoice(b.id, { forUpdate: true });
        const again = await r.paymentByKey(user.id, input.idempotencyKey);
        if (again) {
          if (again.bookingId !== b.id || again.method !== input.method || again.tip !== tip)
            throw new DomainError(
              'CONFLICT',
              'This idempotency key was already used for a different payment.',
            );
          return again;
        }
        const live = await r.livePayment(b.id);
        if (live && live.status !== 'pending')
          throw new DomainError('CONFLICT', 'This booking is already paid.', { paymentId: live.id });
        if (live && live.method === input.method && live.tip === tip) return live;
        if (live) await r.cancelPending(b.id);
        await r.lockCustomerCredit(b.customerId);
        const due = inv.total - Math.min(inv.total, await creditOf(r, b.customerId, inv.currency, b.id));
        // Credit that covers everything (and no tip): paid now, nothing for a gateway to collect.
        const covered = due + tip === 0;
        const inserted = await r.insertPayment({
          bookingId: b.id,
          customerId: b.customerId,
          method: input.method,
          status: covered ? 'paid' : 'pending',
          currency: inv.currency,
          due,
          tip,
          amount: due + tip,
          reference: `fundi_${randomUUID().replaceAll('-', '')}`,
          idempotencyKey: input.idempotencyKey,
          paidAt: covered ? now() : null,
        });
        if (!inserted) throw new DomainError('CONFLICT', 'Another payment for this booking started. Reload.');
        if (covered) await succeeded(tx, inserted);
        return inserted;
      });
      if (p.status === 'paid') notify(b.id);
      const ready = await initialize(p, row);
      return { paymentId: ready.id, status: stateOf(ready), redirectUrl: ready.redirectUrl };
    },

    /**
     * The assigned technician took cash. At least the amount due; anything above it is a tip. The
     * technician now holds the platform's commission: their account goes down by what they collected
     * (and up by the tip), so the commission becomes their debt, netted against online earnings.
     */
    async confirmCash(user: Caller, input: { bookingId: string; amount: number }): Promise<BookingPayment> {
      const { row, as } = await load(input.bookingId, user);
      if (as !== 'technician')
        throw new DomainError('FORBIDDEN_ROLE', 'Only the assigned technician can confirm cash.');
      const b = row.booking;
      await db.transaction(async (tx) => {
        const r = createPaymentsRepo(tx);
        const inv = await requireInvoice(tx, row);
        await r.invoice(b.id, { forUpdate: true });
        const live = await r.livePayment(b.id);
        if (live && live.status !== 'pending') {
          if (live.method === 'cash' && live.amount === input.amount) return; // a retry
          throw new DomainError('CONFLICT', 'This booking is already paid.', { paymentId: live.id });
        }
        await r.lockCustomerCredit(b.customerId);
        const due = inv.total - Math.min(inv.total, await creditOf(r, b.customerId, inv.currency, b.id));
        if (input.amount < due)
          throw new DomainError('VALIDATION', 'Collect at least the amount due.', { due });
        if (live) await r.cancelPending(b.id);
        const tip = input.amount - due;
        const p = await r.insertPayment({
          bookingId: b.id,
          customerId: b.customerId,
          method: 'cash',
          status: 'paid',
          currency: inv.currency,
          due,
          tip,
          amount: input.amount,
          reference: `cash_${randomUUID().replaceAll('-', '')}`,
          idempotencyKey: `cash:${b.id}:${randomUUID()}`,
          collectedBy: user.id,
          paidAt: now(),
        });
        if (!p) throw new DomainError('CONFLICT', 'Another payment for this booking started. Reload.');
        await ledger.post(tx, {
          key: `payment:${p.id}:paid`,
          kind: 'cash',
          bookingId: b.id,
          paymentId: p.id,
          memo: 'Cash collected by the technician',
          entries: [
            { account: accounts.customer(b.customerId), currency: p.currency, amount: -due, line: 'payment' },
            {
              account: accounts.technician(user.id),
              currency: p.currency,
              amount: input.amount,
              line: 'cash',
            },
            { account: accounts.technician(user.id), currency: p.currency, amount: -tip, line: 'tip' },
          ],
        });
        await deps.paid?.(tx, {
          paymentId: p.id,
          bookingId: b.id,
          customerId: b.customerId,
          amount: p.amount,
          currency: p.currency,
          at: p.paidAt ?? now(),
          service: row.service,
        });
        await succeeded(tx, p);
      });
      notify(b.id);
      return view(row);
    },

    async receipt(bookingId: string, user: Caller): Promise<Receipt> {
      const { row } = await load(bookingId, user);
      const p = await repo.livePayment(bookingId);
      const inv = await repo.invoice(bookingId);
      if (!p || !inv || p.status === 'pending' || !p.paidAt)
        throw new DomainError('CONFLICT', 'There is no receipt until the booking is paid.');
      const extras = await repo.extras(bookingId);
      const [customer, technician, photos] = await Promise.all([
        repo.user(row.booking.customerId),
        row.booking.technicianId ? repo.user(row.booking.technicianId) : undefined,
        deps.photos ? deps.photos(bookingId) : [],
      ]);
      return {
        bookingId,
        number: `FND-${p.paidAt.toISOString().slice(0, 10).replaceAll('-', '')}-${p.id.slice(0, 8).toUpperCase()}`,
        service: { en: row.service.nameEn, ar: row.service.nameAr },
        customer: customer?.name ?? '',
        technician: technician?.name ?? null,
        currency: p.currency,
        items: itemsOf(inv, extras, p.tip, inv.total - p.due),
        total: money(p.amount, p.currency),
        method: p.method,
        reference: p.reference,
        paidAt: p.paidAt.toISOString(),
        refunded: p.refundedAmount ? money(p.refundedAmount, p.currency) : null,
        photos,
      };
    },

    /**
     * A full or partial refund, by an admin. The refundable rest is reserved under the payment's row lock
     * before the gateway is asked (two refunds at once cannot exceed what was paid), released if the
     * gateway refuses. Cash payments are refunded as account credit (the customer's ledger account).
     */
    async refund(
      admin: Caller,
      input: { paymentId: string; amount: number; reason: string },
    ): Promise<RefundResult> {
      const reserved = await db.transaction(async (tx) => {
        const r = createPaymentsRepo(tx);
        const p = await r.payment(input.paymentId, { forUpdate: true });
        if (!p) throw new DomainError('NOT_FOUND', 'Payment not found.');
        if (!['paid', 'partially_refunded'].includes(p.status))
          throw new DomainError('CONFLICT', `A ${p.status.replace('_', ' ')} payment cannot be refunded.`);
        const left = p.amount - p.refundedAmount;
        if (input.amount > left)
          throw new DomainError('CONFLICT', 'That is more than what is left to refund.', {
            refundable: left,
          });
        const refund = await r.insertRefund({
          paymentId: p.id,
          amount: input.amount,
          currency: p.currency,
          reason: input.reason,
          requestedBy: admin.id,
        });
        const updated = await r.updatePayment(p.id, { refundedAmount: p.refundedAmount + input.amount });
        // The decision is recorded with the reservation; a gateway refusal later shows on the refund row.
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'payment.refund',
          subject: `payment:${p.id}`,
          reason: input.reason,
          before: { refunded: p.refundedAmount },
          after: { refunded: p.refundedAmount + input.amount },
          detail: { refundId: refund.id, bookingId: p.bookingId, amount: input.amount, currency: p.currency },
        });
        return { refund, payment: updated };
      });
      const { refund, payment } = reserved;
      let outcome: { status: 'succeeded' | 'pending' | 'failed'; providerRef: string | null } = {
        status: 'succeeded',
        providerRef: null,
      };
      if (isOnline(payment.method)) {
        const provider = providers[payment.method];
        try {
          if (!provider) throw new GatewayError(payment.method, 'not configured');
          outcome = await provider.refund({
            refundId: refund.id,
            reference: payment.reference,
            providerRef: payment.providerRef,
            amount: input.amount,
            currency: payment.currency,
            reason: input.reason,
          });
        } catch (e) {
          log.warn('refund failed at the gateway', { paymentId: payment.id, error: (e as Error).message });
          outcome = { status: 'failed', providerRef: null };
        }
      }
      const result = await db.transaction(async (tx) => {
        const r = createPaymentsRepo(tx);
        const p = (await r.payment(payment.id, { forUpdate: true }))!;
        if (outcome.status === 'failed') {
          await r.updateRefund(refund.id, { status: 'failed', completedAt: now() });
          await r.updatePayment(p.id, { refundedAmount: p.refundedAmount - input.amount });
          throw new DomainError('CONFLICT', 'The payment provider refused the refund.');
        }
        await r.updateRefund(refund.id, {
          status: outcome.status,
          providerRef: outcome.providerRef,
          completedAt: outcome.status === 'succeeded' ? now() : null,
        });
        const status = p.refundedAmount >= p.amount ? 'refunded' : 'partially_refunded';
        const updated = await r.updatePayment(p.id, { status });
        await deps.outbox?.paymentChanged(tx, {
          type: 'payment.refunded',
          customerId: p.customerId,
          bookingId: p.bookingId,
          data: toWebhookPayment(updated, {
            id: refund.id,
            amount: money(input.amount, p.currency),
            status: outcome.status === 'succeeded' ? 'succeeded' : 'pending',
          }),
        });
        const inv = (await r.invoice(p.bookingId))!;
        const row = (await r.booking(p.bookingId))!;
        const b = row.booking;
        const commission = inv.total > 0 ? Math.round((inv.commission * p.due) / inv.total) : 0;
        const split = splitRefund(input.amount, { due: p.due, tip: p.tip, commission });
        const c = p.currency;
        const tech = b.technicianId ? accounts.technician(b.technicianId) : accounts.commission;
        await ledger.post(tx, {
          key: `refund:${refund.id}`,
          kind: 'refund',
          bookingId: p.bookingId,
          paymentId: p.id,
          memo: input.reason,
          entries: [
            // Online: the money leaves the gateway; cash: it stays with the platform as the customer's credit.
            isOnline(p.method)
              ? { account: accounts.gateway(p.method), currency: c, amount: -input.amount, line: 'refund' }
              : {
                  account: accounts.customer(p.customerId),
                  currency: c,
                  amount: -input.amount,
                  line: 'credit',
                },
            { account: tech, currency: c, amount: split.fromTechnician, line: 'earnings' },
            { account: tech, currency: c, amount: split.fromTip, line: 'tip' },
            { account: accounts.commission, currency: c, amount: split.fromCommission, line: 'commission' },
          ],
        });
        await deps.refunded?.(tx, {
          refundId: refund.id,
          bookingId: p.bookingId,
          customerId: p.customerId,
          amount: input.amount,
          currency: c,
          service: row.service,
        });
        return {
          refundId: refund.id,
          paymentId: p.id,
          amount: money(input.amount, c),
          status: outcome.status === 'succeeded' ? 'succeeded' : 'pending',
          paymentStatus: status,
        } satisfies RefundResult;
      });
      notify(payment.bookingId);
      return result;
    },

    /**
     * One webhook delivery: signature first (nothing stored or parsed into state before it holds), then
     * the event stored once under (provider, event id), then the payment it names verified with the
     * gateway's API. Unknown events are acknowledged and ignored. Returns the HTTP answer.
     */
    async webhook(provider: string, req: WebhookRequest): Promise<{ status: number; body: string }> {
      const gateway = providers[provider as OnlineMethod];
      if (!gateway) return { status: 404, body: 'unknown provider' };
      let ev: ReturnType<PaymentProvider['parseWebhook']>;
      try {
        ev = gateway.parseWebhook(req);
      } catch (e) {
        if (e instanceof WebhookSignatureError) return { status: e.status, body: e.message };
        return { status: 400, body: 'unreadable event' };
      }
      let payment = ev.reference ? await repo.paymentByReference(ev.reference) : undefined;
      if (!payment && ev.providerRef) payment = await repo.paymentByProviderRef(gateway.name, ev.providerRef);
      if (payment && payment.method !== gateway.name) payment = undefined;
      const stored =
        (await repo.insertEvent({
          provider: gateway.name,
          eventId: ev.eventId,
          type: ev.type,
          paymentId: payment?.id ?? null,
          payload: ev.payload as object,
        })) ?? (await repo.event(gateway.name, ev.eventId));
      if (stored?.processedAt) return { status: 200, body: 'duplicate' };
      if (ev.action === 'ignore' || !payment) {
        if (stored) await repo.markEvent(stored.id, payment ? 'ignored' : 'no such payment');
        return { status: 200, body: 'ignored' };
      }
      const after = await settle(payment.id);
      if (stored)
        await repo.markEvent(stored.id, after?.flag ? `flagged: ${after.flag}` : (after?.status ?? 'gone'));
      return { status: 200, body: 'ok' };
    },

    /**
     * The booking's payment as it changes (pending → paid live on the booking screen), for its customer,
     * technician and admins. Each state is tracked by a digest of what it shows, so a resumed subscription
     * (lastEventId) gets nothing it already has.
     */
    async *events(
      bookingId: string,
      user: Caller,
      lastEventId: string | null | undefined,
      signal?: AbortSignal,
    ) {
      let { row } = await load(bookingId, user);
      const live = deps.bus?.subscribe<{ bookingId: string }>(paymentChannel(bookingId), signal);
      await live?.ready; // listening before reading: no change falls between
      let last = lastEventId ?? null;
      const emit = async () => {
        const v = await view(row);
        const id = createHash('sha256')
          .update(
            JSON.stringify([
              v.status,
              v.paymentId,
              v.paid,
              v.refunded,
              v.redirectUrl,
              v.extras.map((e) => e.status),
            ]),
          )
          .digest('base64url')
          .slice(0, 16);
        if (id === last) return null;
        last = id;
        return streamEvent(id, v);
      };
      const first = await emit();
      if (first) yield first;
      if (!live) return;
      for await (const _ of live) {
        // Access is checked again on every event (issue 15 §3): a technician who handed the job back (or
        // anyone the booking no longer names) gets nothing more, and the stream ends.
        const now = await load(bookingId, user).catch((e: unknown) => {
          if (e instanceof DomainError && e.code === 'NOT_FOUND') return null;
          throw e;
        });
        if (!now) return;
        row = now.row;
        const next = await emit();
        if (next) yield next;
      }
    },

    /** For tests and admin tools: settle one payment from the gateway's answer now. */
    settle,
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
