import { useId, useState } from 'react';
import { type OnboardingStatus, onboardingStatuses } from '../../../../../server/contracts/onboarding';
import { Loading } from '../../../components/Loading';
import { Screen } from '../../../components/Screen';
import { useI18n } from '../../../i18n/I18nProvider';
import { problemKey } from '../../../lib/apiErrors';
import { Link } from '../../../lib/router';
import { trpc } from '../../../lib/trpc';
import '../onboarding.css';

/** admin.onboarding.queue: applications waiting (or in another state), oldest first. */
export function QueueScreen() {
  const { t, formatDateTime } = useI18n();
  const id = useId();
  const [status, setStatus] = useState<OnboardingStatus>('submitted');
  const queue = trpc.admin.onboarding.queue.useInfiniteQuery(
    { status },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 10_000 },
  );
  const items = queue.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Screen heading={t('onboarding.admin.title')} testId="onboarding-queue">
      <nav className="breadcrumbs">
        <Link href="/home">{t('onboarding.back')}</Link>
      </nav>
      <div className="field">
        <label htmlFor={`${id}-status`}>{t('onboarding.admin.show')}</label>
        <select
          id={`${id}-status`}
          value={status}
          onChange={(e) => setStatus(e.target.value as OnboardingStatus)}
          data-testid="queue-status"
        >
          {onboardingStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`onboarding.state.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {queue.isPending ? (
        <Loading />
      ) : queue.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(queue.error))}
        </p>
      ) : items.length === 0 ? (
        <p className="card muted">{t('onboarding.admin.empty')}</p>
      ) : (
        <ul className="onb-list">
          {items.map((a) => (
            <li key={a.technicianId} className="card" data-testid="queue-item">
              <div>
                <strong>{a.name}</strong>
                <div className="muted small">{a.email}</div>
                <div className="muted small">
                  {a.submittedAt
                    ? `${t('onboarding.admin.sent', { when: formatDateTime(a.submittedAt) })} · `
                    : ''}
                  {t('onboarding.admin.counts', {
                    services: a.servicesCount,
                    areas: a.areasCount,
                  })}
                </div>
              </div>
              <Link href={`/admin/onboarding/${a.technicianId}`} className="button button-secondary">
                {t('onboarding.admin.review')}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {queue.hasNextPage && (
        <button
          type="button"
          className="button button-ghost"
          disabled={queue.isFetchingNextPage}
          onClick={() => void queue.fetchNextPage()}
        >
          {t('onboarding.admin.more')}
        </button>
      )}
    </Screen>
  );
}
