import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { problemKey } from '../lib/apiErrors';
import { Loading } from './Loading';
import { LoadMore, type NextPages } from './LoadMore';

type Pages = NextPages & { isPending: boolean; error: unknown; refetch: () => Promise<unknown> };

/** Two grey lines while a list loads (where a spinner would jump). */
export function Skeleton() {
  const { t } = useI18n();
  return (
    <div className="skeleton-group" role="status">
      <span className="skeleton" />
      <span className="skeleton" />
      <span className="visually-hidden">{t('app.loading')}</span>
    </div>
  );
}

/** The problem a query met, in words, with "Retry" under it where `onRetry` is given. */
export function QueryError({
  error,
  onRetry,
  box,
}: {
  error: unknown;
  onRetry?: () => void;
  /** What holds the two: a card, a plain div, or nothing (the default). */
  box?: 'card' | 'div';
}) {
  const { t } = useI18n();
  const body = (
    <>
      <p className="form-error" role="alert">
        {t(problemKey(error))}
      </p>
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </>
  );
  if (box === 'card') return <div className="card">{body}</div>;
  if (box === 'div') return <div>{body}</div>;
  return body;
}

/**
 * A list read page by page (an infinite query): loading, the problem (where nothing is shown yet), the
 * empty words, or the rows (`children`) with "load more" under them.
 */
export function PagedList({
  pages,
  count,
  empty,
  children,
  retry = false,
  errorBox,
  errorOverRows = false,
  skeleton = false,
  more,
}: {
  pages: Pages;
  /** How many rows are loaded. */
  count: number;
  empty: ReactNode;
  children: ReactNode;
  /** A "Retry" button under the problem. */
  retry?: boolean;
  errorBox?: 'card' | 'div';
  /** The problem shows instead of the rows loaded so far (else only while none are). */
  errorOverRows?: boolean;
  /** Grey lines instead of the spinner while the first page loads. */
  skeleton?: boolean;
  more?: Omit<Parameters<typeof LoadMore>[0], 'pages'>;
}) {
  if (pages.isPending) return skeleton ? <Skeleton /> : <Loading />;
  if (pages.error && (errorOverRows || count === 0))
    return (
      <QueryError
        error={pages.error}
        box={errorBox}
        onRetry={retry ? () => void pages.refetch() : undefined}
      />
    );
  if (count === 0) return empty;
  return (
    <>
      {children}
      <LoadMore pages={pages} {...more} />
    </>
  );
}
