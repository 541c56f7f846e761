import './payments.css';
import type { PublicUser } from '../../../../server/contracts/auth';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { SurchargeNote } from '../booking/PriceLines';
import { Gallery } from '../upload/JobPhotos';
import { LineItems, useMethodLabel } from './PaymentBits';

/** A paid booking's receipt: printable (the app's chrome is hidden on paper), in the user's language. */
export function ReceiptScreen({ id }: { id: string; user: PublicUser }) {
  const { t, localized, formatDateTime, formatMoney } = useI18n();
  const method = useMethodLabel();
  const receipt = trpc.payment.receipt.useQuery({ bookingId: id }, { staleTime: 60_000 });
  const r = receipt.data;

  return (
    <Screen heading={t('receipt.title')} testId="receipt">
      <nav className="breadcrumbs no-print" aria-label={t('receipt.title')}>
        <Link href={`/bookings/${id}`}>{t('receipt.back')}</Link>
      </nav>
      {r ? (
        <article className="card receipt" aria-label={t('receipt.title')}>
          <header className="receipt-head">
            <p className="receipt-brand">{t('app.name')}</p>
            <p>
              <span className="muted">{t('receipt.number')}</span>{' '}
              <bdi className="receipt-number" data-testid="receipt-number">
                {r.number}
              </bdi>
            </p>
          </header>
          <dl className="facts receipt-facts">
            <div>
              <dt>{t('receipt.service')}</dt>
              <dd>{localized(r.service)}</dd>
            </div>
            <div>
              <dt>{t('receipt.paidAt')}</dt>
              <dd>{formatDateTime(r.paidAt)}</dd>
            </div>
            <div>
              <dt>{t('receipt.customer')}</dt>
              <dd>
                <bdi>{r.customer}</bdi>
              </dd>
            </div>
            {r.technician && (
              <div>
                <dt>{t('receipt.technician')}</dt>
                <dd>
                  <bdi>{r.technician}</bdi>
                </dd>
              </div>
            )}
          </dl>
          <h2 className="receipt-section">{t('receipt.items')}</h2>
          <LineItems items={r.items} total={r.total} totalLabel={t('receipt.total')} />
          <SurchargeNote bookingId={id} />
          <dl className="facts receipt-facts">
            <div>
              <dt>{t('receipt.method')}</dt>
              <dd data-testid="receipt-method">{method(r.method)}</dd>
            </div>
            <div>
              <dt>{t('receipt.reference')}</dt>
              <dd>
                <bdi className="receipt-reference" data-testid="receipt-reference">
                  {r.reference}
                </bdi>
              </dd>
            </div>
            {r.refunded && (
              <div>
                <dt>{t('receipt.refunded')}</dt>
                <dd>{formatMoney(r.refunded)}</dd>
              </div>
            )}
          </dl>
          {r.photos.length > 0 && (
            <section
              className="receipt-photos"
              data-testid="receipt-photos"
              aria-labelledby="receipt-photos-title"
            >
              <h2 id="receipt-photos-title" className="receipt-section">
                {t('jobPhotos.title')}
              </h2>
              <Gallery photos={r.photos} />
            </section>
          )}
          <p className="muted small">{t('receipt.thanks')}</p>
        </article>
      ) : receipt.error ? (
        <div className="card">
          <p className="form-error" role="alert">
            {toApiProblem(receipt.error).code === 'CONFLICT'
              ? t('receipt.notPaid')
              : t(problemKey(receipt.error))}
          </p>
          <Link href={`/bookings/${id}`} className="button button-secondary">
            {t('receipt.back')}
          </Link>
        </div>
      ) : (
        <Loading />
      )}
      {r && (
        <div className="actions no-print">
          <button
            type="button"
            className="button button-primary"
            data-testid="print-receipt"
            onClick={() => window.print()}
          >
            {t('receipt.print')}
          </button>
        </div>
      )}
    </Screen>
  );
}
