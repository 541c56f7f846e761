import './admin.css';
import { useId, useState } from 'react';
import type { TechnicianProfile, VerificationStatus } from '../../../../server/contracts/technician';
import { Avatar } from '../../components/Avatar';
import { PagedList } from '../../components/PagedList';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { Rating } from '../booking/Rating';

type Row = TechnicianProfile & { email: string; createdAt: string };
type Filter = VerificationStatus | 'all';

const FILTERS: Filter[] = ['pending', 'verified', 'rejected', 'suspended', 'all'];
/**
 * Reject and suspend only: a technician becomes verified by an approved onboarding application (documents,
 * areas, services reviewed), on its review screen; the server refuses "verified" without one.
 */
const ACTIONS = [
  { status: 'rejected', testId: 'reject-tech', className: 'button-danger-outline' },
  { status: 'suspended', testId: 'suspend-tech', className: 'button-secondary' },
] as const;

/** Technicians by verification status; verifying is the onboarding review's (each row links to it). */
export function TechniciansAdmin() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<Filter>('pending');
  // Decisions made here stay visible in place (a verified row doesn't vanish from the pending list
  // under the admin's finger); changing the filter reloads the list.
  const [updated, setUpdated] = useState<Record<string, Row>>({});
  const pages = trpc.admin.technicians.list.useInfiniteQuery(
    { verification: filter === 'all' ? undefined : filter },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 10_000 },
  );
  const fetched = pages.data?.pages.flatMap((page) => page.items) ?? [];
  // The list refetches live (me.events `technicians`: new sign-ups appear); rows decided here stay shown
  // even when the refetched filter no longer includes them (issue 11 §4).
  const kept = Object.values(updated).filter((r) => !fetched.some((f) => f.userId === r.userId));
  const rows: Row[] = [
    ...fetched.map((row) => {
      const fresh = updated[row.userId];
      return fresh ? { ...row, ...fresh } : row;
    }),
    ...kept,
  ];

  return (
    <section className="card card-feature" aria-labelledby="queue-title" data-testid="technicians-admin">
      <h2 id="queue-title">{t('admin.queue.title')}</h2>
      <p className="muted small">
        {t('admin.queue.reviewHint')}{' '}
        <Link href="/admin/onboarding" data-testid="open-review-queue">
          {t('admin.queue.open')}
        </Link>
      </p>
      <fieldset className="filter-chips">
        <legend className="visually-hidden">{t('admin.filter')}</legend>
        {FILTERS.map((option) => (
          <button
            key={option}
            type="button"
            className="chip chip-button"
            aria-pressed={filter === option}
            data-testid={`filter-${option}`}
            onClick={() => {
              setFilter(option);
              setUpdated({});
            }}
          >
            {t(`admin.filter.${option}`)}
          </button>
        ))}
      </fieldset>
      <PagedList
        pages={pages}
        count={rows.length}
        retry
        empty={
          <p className="muted">{filter === 'pending' ? t('admin.queue.empty') : t('admin.list.empty')}</p>
        }
      >
        <ul className="tech-list" aria-busy={pages.isFetching}>
          {rows.map((row) => (
            <TechRow
              key={row.userId}
              row={row}
              onUpdated={(profile) =>
                setUpdated((map) => ({ ...map, [profile.userId]: { ...row, ...profile } }))
              }
            />
          ))}
        </ul>
      </PagedList>
    </section>
  );
}

function TechRow({ row, onUpdated }: { row: Row; onUpdated: (profile: TechnicianProfile) => void }) {
  const { t, formatDate, formatNumber } = useI18n();
  const id = useId();
  const [note, setNote] = useState('');
  const setVerification = trpc.admin.technicians.setVerification.useMutation({
    onSuccess: (profile) => {
      onUpdated(profile);
      setNote('');
    },
  });
  const pendingStatus = setVerification.isPending ? setVerification.variables?.status : undefined;

  return (
    <li
      className="tech-row"
      data-testid="tech-row"
      data-email={row.email}
      data-verification={row.verification}
      aria-labelledby={`${id}-name`}
    >
      <div className="person">
        <Avatar name={row.name} photoUrl={row.photoUrl} size={44} />
        <div className="person-text">
          <p className="person-name" id={`${id}-name`}>
            {row.name}
          </p>
          <p className="muted small break-anywhere" dir="ltr">
            {row.email}
          </p>
        </div>
        <span className={`verification-chip verification-${row.verification}`}>
          {t(`verification.${row.verification}`)}
        </span>
      </div>
      <ul className="tech-facts">
        <li>{t('admin.services', { count: formatNumber(row.services.length) })}</li>
        <li>
          <Rating value={row.rating.average} count={row.rating.count} />
        </li>
        <li>
          <span className="online-dot" data-online={String(row.online)} aria-hidden="true" />{' '}
          {row.online ? t('admin.online') : t('admin.offline')}
        </li>
        <li>{t('admin.joined', { date: formatDate(row.createdAt) })}</li>
      </ul>
      {row.verificationNote && (
        <p className="small">
          <strong>{t('technician.verification.note')}</strong> {row.verificationNote}
        </p>
      )}
      <div className="field">
        <label htmlFor={`${id}-note`}>{t('admin.note')}</label>
        <input
          id={`${id}-note`}
          name="note"
          maxLength={500}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <div className="tech-actions">
        <Link
          href={`/admin/onboarding/${row.userId}`}
          className="button button-primary"
          data-testid="review-tech"
        >
          {t('admin.review')}
        </Link>
        {ACTIONS.map((action) => (
          <button
            key={action.status}
            type="button"
            className={`button ${action.className}`}
            data-testid={action.testId}
            disabled={setVerification.isPending}
            onClick={() =>
              setVerification.mutate({
                technicianId: row.userId,
                status: action.status,
                note: note.trim() || undefined,
              })
            }
          >
            {pendingStatus === action.status && <Spinner small />}
            {pendingStatus === action.status
              ? t(`admin.action.${action.status}.pending`)
              : t(`admin.action.${action.status}`)}
          </button>
        ))}
      </div>
      {setVerification.error && (
        <p className="form-error" role="alert">
          {t(problemKey(setVerification.error))}
        </p>
      )}
    </li>
  );
}
