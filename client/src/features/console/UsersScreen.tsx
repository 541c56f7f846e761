import { type FormEvent, useId, useState } from 'react';
import { type UserStatus, userStatuses } from '../../../../server/contracts/console';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { ConsoleNav } from './ConsoleNav';
import { ConsolePagedList } from './ConsolePagedList';

type Role = 'customer' | 'technician' | 'admin';
const ROLES: Role[] = ['customer', 'technician', 'admin'];

/** Search accounts by name, e-mail or phone; filter by role and status. */
export function UsersScreen() {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [filters, setFilters] = useState<{ q?: string; role?: Role; status?: UserStatus }>({});
  const pages = trpc.admin.users.search.useInfiniteQuery(filters, {
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const q = String(f.get('q') ?? '').trim();
    const role = String(f.get('role') ?? '') as Role | '';
    const status = String(f.get('status') ?? '') as UserStatus | '';
    setFilters({ q: q || undefined, role: role || undefined, status: status || undefined });
  };

  return (
    <Screen heading={t('console.users.title')} testId="admin-users">
      <ConsoleNav />
      <form className="card console-filters" onSubmit={submit} aria-label={t('console.users.title')}>
        <div className="field span-2">
          <label htmlFor={`${id}-q`}>{t('console.users.search')}</label>
          <input id={`${id}-q`} name="q" type="search" maxLength={100} data-testid="users-q" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>{t('console.users.role')}</label>
          <select id={`${id}-role`} name="role" data-testid="users-role">
            <option value="">{t('console.users.any')}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`console.role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>{t('console.users.status')}</label>
          <select id={`${id}-status`} name="status" data-testid="users-status">
            <option value="">{t('console.users.any')}</option>
            {userStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`console.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-primary span-2" data-testid="users-search">
          {t('console.users.searchButton')}
        </button>
      </form>
      <ConsolePagedList
        pages={pages}
        count={rows.length}
        empty={<p className="muted">{t('console.users.empty')}</p>}
      >
        <ul className="console-list" aria-busy={pages.isFetching} data-testid="users-list">
          {rows.map((u) => (
            <li key={u.id} className="console-row">
              <span>
                <Link href={`/admin/users/${u.id}`}>{u.name}</Link>
                <br />
                <span className="muted small" dir="ltr">
                  {u.email}
                </span>
              </span>
              <span className="small">
                {t(`console.role.${u.role}`)} ·{' '}
                <span className="status-badge" data-status={u.status}>
                  {t(`console.status.${u.status}`)}
                </span>{' '}
                · {formatDate(u.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      </ConsolePagedList>
    </Screen>
  );
}
