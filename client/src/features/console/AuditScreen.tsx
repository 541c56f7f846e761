import { type FormEvent, useId, useState } from 'react';
import type { AuditEntryView } from '../../../../server/contracts/console';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';
import { auditChanges, auditFields, auditReason } from './auditFields';
import { ConsoleNav } from './ConsoleNav';
import { ConsolePagedList } from './ConsolePagedList';

type Filters = { action?: string; subject?: string; actorId?: string; from?: string; to?: string };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The append-only audit trail, newest first, with filters. */
export function AuditScreen() {
  const { t } = useI18n();
  const id = useId();
  const [filters, setFilters] = useState<Filters>({});
  const pages = trpc.admin.audit.list.useInfiniteQuery(filters, {
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    const day = (k: string, end: boolean) => {
      const v = text(k);
      return v ? new Date(`${v}T${end ? '23:59:59' : '00:00:00'}`).toISOString() : undefined;
    };
    const actor = text('actorId');
    setFilters({
      action: text('action'),
      subject: text('subject'),
      actorId: actor && UUID.test(actor) ? actor.toLowerCase() : undefined,
      from: day('from', false),
      to: day('to', true),
    });
  };

  const field = (name: string, label: string, type = 'text', span = false) => (
    <div className={`field${span ? ' span-2' : ''}`}>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} name={name} type={type} dir="ltr" data-testid={`audit-${name}`} />
    </div>
  );

  return (
    <Screen heading={t('console.audit.title')} testId="admin-audit">
      <ConsoleNav />
      <form className="card console-filters" onSubmit={submit} aria-label={t('console.audit.filter')}>
        {field('action', t('console.audit.action'), 'text', true)}
        {field('subject', t('console.audit.subject'), 'text', true)}
        {field('actorId', t('console.audit.actor'), 'text', true)}
        {field('from', t('console.audit.from'), 'date', true)}
        {field('to', t('console.audit.to'), 'date', true)}
        <button type="submit" className="button button-primary span-2" data-testid="audit-filter">
          {t('console.audit.filter')}
        </button>
      </form>
      <ConsolePagedList
        pages={pages}
        count={rows.length}
        empty={<p className="muted">{t('console.none')}</p>}
      >
        <ol className="console-list" aria-busy={pages.isFetching} data-testid="audit-list">
          {rows.map((r) => (
            <AuditRow key={r.id} r={r} />
          ))}
        </ol>
      </ConsolePagedList>
    </Screen>
  );
}

function AuditRow({ r }: { r: AuditEntryView }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const tools = { t, formatDateTime, formatNumber };
  const fields = auditFields(r.action, r.detail, tools);
  const changes = r.before || r.after ? auditChanges(r.action, r.before, r.after, tools) : [];
  return (
    <li className="console-row audit-entry" data-action={r.action}>
      <span>
        <code dir="ltr">{r.action}</code> · <code dir="ltr">{r.subject}</code>
      </span>
      <span className="small">
        {r.actor ? r.actor.name : t('console.audit.system')} · {formatDateTime(r.at)}
        {r.ip && (
          <>
            {' · '}
            <span dir="ltr">{r.ip}</span>
          </>
        )}
      </span>
      {r.reason && (
        <span className="small" data-testid="audit-reason">
          {t('console.audit.reason', { reason: auditReason(r.reason, t) })}
        </span>
      )}
      {changes.length > 0 && (
        <table className="audit-changes small" data-testid="audit-changes">
          <thead>
            <tr>
              <th scope="col">{t('console.audit.field')}</th>
              <th scope="col">{t('console.audit.before')}</th>
              <th scope="col">{t('console.audit.after')}</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={c.key}>
                <th scope="row">{c.label}</th>
                <td>
                  <bdi>{c.before}</bdi>
                </td>
                <td>
                  <bdi>{c.after}</bdi>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {fields.length > 0 && (
        <details>
          <summary className="small">{t('console.audit.details')}</summary>
          <dl className="audit-detail small" data-testid="audit-detail">
            {fields.map((f) => (
              <div key={f.key}>
                <dt>{f.label}</dt>
                <dd dir={f.ltr ? 'ltr' : undefined}>
                  <bdi>{f.value}</bdi>
                </dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </li>
  );
}
