import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The admin home's way to refunds and payouts. */
export function PaymentsLink() {
  const { t } = useI18n();
  return (
    <Link href="/admin/payments" className="card link-card" data-testid="admin-payments-link">
      <span className="link-card-title">{t('adminPay.link')}</span>
      <span className="muted small">{t('adminPay.linkHint')}</span>
    </Link>
  );
}
