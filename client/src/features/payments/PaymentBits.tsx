import './payments.css';
import type { LineItem, PaymentMethod, PaymentState } from '../../../../server/contracts/payment';
import { useI18n } from '../../i18n/I18nProvider';

const TONE: Record<PaymentState, string> = {
  unpaid: 'problem',
  failed: 'problem',
  pending: 'active',
  paid: 'done',
  refunded: 'neutral',
  partially_refunded: 'neutral',
};

/** The payment's state as a chip (same look as the booking's status chip). */
export function PaymentBadge({ status }: { status: PaymentState }) {
  const { t } = useI18n();
  return (
    <span className={`status-chip status-${TONE[status]}`} data-testid="payment-state" data-state={status}>
      {t(`pay.state.${status}`)}
    </span>
  );
}

/** "Cash", "Paystack" … in the user's language. */
export function useMethodLabel(): (method: PaymentMethod) => string {
  const { t } = useI18n();
  return (method) => t(`pay.method.${method}`);
}

/**
 * A bill line in the user's language. The server words its lines in English for its own records; the
 * kinds are what we translate (an extra's label is what the technician typed, shown as written).
 */
export function useLineLabel(): (item: LineItem) => string {
  const { t, formatMinutes } = useI18n();
  return (item) => {
    switch (item.kind) {
      case 'service': {
        const minutes = /\((\d+) min\)/.exec(item.label)?.[1];
        return minutes
          ? t('pay.item.serviceTime', { time: formatMinutes(Number(minutes)) })
          : t('pay.item.service');
      }
      case 'cancellation_fee':
        return t('pay.item.cancellationFee');
      case 'credit':
        return t('pay.item.credit');
      case 'tip':
        return t('pay.item.tip');
      default:
        return item.label;
    }
  };
}

/** The bill's lines and its total, as a breakdown list. */
export function LineItems({
  items,
  total,
  totalLabel,
}: {
  items: LineItem[];
  total: LineItem['amount'];
  totalLabel: string;
}) {
  const { formatMoney } = useI18n();
  const label = useLineLabel();
  return (
    <dl className="breakdown" data-testid="line-items">
      {items.map((item, index) => (
        // Lines have no ids; their order is the bill's and never changes while shown.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above.
        <div key={index} data-kind={item.kind}>
          <dt>{item.kind === 'extra' ? <bdi dir="auto">{label(item)}</bdi> : label(item)}</dt>
          <dd>{formatMoney(item.amount)}</dd>
        </div>
      ))}
      <div className="breakdown-total">
        <dt>{totalLabel}</dt>
        <dd data-testid="line-items-total">{formatMoney(total)}</dd>
      </div>
    </dl>
  );
}
