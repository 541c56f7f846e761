import { useI18n } from '../../../i18n/I18nProvider';
import { problemKey } from '../../../lib/apiErrors';
import { trpc } from '../../../lib/trpc';
import { Timeline } from './Timeline';

/** The booking's status changes, loaded on their own. */
export function History({ id }: { id: string }) {
  const { t } = useI18n();
  const history = trpc.booking.history.useQuery({ id }, { staleTime: 5_000 });
  return (
    <section className="card" aria-labelledby="history-title" aria-busy={history.isFetching}>
      <h2 id="history-title">{t('booking.history')}</h2>
      {history.data ? (
        <Timeline entries={history.data} />
      ) : history.error ? (
        <p className="form-error">{t(problemKey(history.error))}</p>
      ) : (
        <div className="skeleton-group" role="status">
          <span className="skeleton" />
          <span className="skeleton" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      )}
    </section>
  );
}
