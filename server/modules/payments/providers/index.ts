import type { PaymentsConfig } from '../../../config';
import type { OnlineMethod } from '../../../contracts/payment';
import { createPaymob } from './paymob';
import { createPaystack } from './paystack';
import { createStripe } from './stripe';
import type { PaymentProvider } from './types';

/** The gateways whose keys are configured; the others are not offered. */
export function createProviders(cfg: PaymentsConfig): Partial<Record<OnlineMethod, PaymentProvider>> {
  return {
    ...(cfg.paystack ? { paystack: createPaystack(cfg.paystack) } : {}),
    ...(cfg.stripe ? { stripe: createStripe(cfg.stripe) } : {}),
    ...(cfg.paymob ? { paymob: createPaymob(cfg.paymob) } : {}),
  };
}
