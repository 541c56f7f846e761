import { type FormEvent, useId, useState } from 'react';
import { type Org, type OrgMember, type OrgRole, orgRoles } from '../../../../server/contracts/developer';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
import { TextField } from '../../components/TextField';
import { useI18n } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { DangerButton, SubmitButton, useAskFirst } from './controls';

/** An API error in the reader's language; "the last owner" has words of its own. */
function useProblemText() {
  const { t } = useI18n();
  return (error: unknown): string | null => {
    if (!error) return null;
    const p = toApiProblem(error);
    if (p.code === 'CONFLICT' && (p.details as { reason?: string } | undefined)?.reason === 'LAST_OWNER')
      return t('developer.members.lastOwner');
    return t(`errors.${p.code}`);
  };
}

/** The organisation's people and their roles; owners add, re-role and remove them. */
export function MembersPanel({ org, selfId }: { org: Org; selfId: string }) {
  const { t } = useI18n();
  const id = useId();
  const problem = useProblemText();
  const utils = trpc.useUtils();
  const members = trpc.org.members.useQuery({ orgId: org.id });
  const owner = org.role === 'owner';
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OrgRole>('member');
  const changed = (list: OrgMember[]) => {
    utils.org.members.setData({ orgId: org.id }, list);
    // The caller's own role may have changed (an owner who handed over ownership).
    void utils.org.mine.invalidate();
  };
  const add = trpc.org.addMember.useMutation({
    onSuccess: (list) => {
      setEmail('');
      changed(list);
    },
  });
  const setMemberRole = trpc.org.setRole.useMutation({ onSuccess: changed });
  const remove = trpc.org.removeMember.useMutation({ onSuccess: changed });
  const removing = useAskFirst(remove, (m: OrgMember) => ({ orgId: org.id, userId: m.userId }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (email.trim()) add.mutate({ orgId: org.id, email: email.trim(), role });
  };
  return (
    <section className="card" aria-labelledby="dev-members-title" data-testid="members">
      <h2 id="dev-members-title">{t('developer.members.title')}</h2>
      {members.isPending ? (
        <Loading />
      ) : (
        <ul className="dev-list">
          {members.data?.map((m) => (
            <li key={m.userId} className="dev-item" data-testid="member-item" data-role={m.role}>
              <div className="dev-item-head">
                <strong>
                  {m.name}
                  {m.userId === selfId && <span className="muted"> {t('developer.members.you')}</span>}
                </strong>
                {!owner && <span className="badge">{t(`developer.role.${m.role}`)}</span>}
              </div>
              <span className="muted dev-small" dir="ltr">
                {m.email}
              </span>
              {owner && (
                <div className="actions">
                  <div className="field dev-inline">
                    <label htmlFor={`${id}-${m.userId}`}>{t('developer.members.role')}</label>
                    <select
                      id={`${id}-${m.userId}`}
                      value={m.role}
                      disabled={setMemberRole.isPending}
                      data-testid="member-role"
                      onChange={(e) =>
                        setMemberRole.mutate({
                          orgId: org.id,
                          userId: m.userId,
                          role: e.target.value as OrgRole,
                        })
                      }
                    >
                      {orgRoles.map((r) => (
                        <option key={r} value={r}>
                          {t(`developer.role.${r}`)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <DangerButton
                    label={t('developer.members.remove')}
                    name={m.name}
                    onClick={() => removing.ask(m)}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {setMemberRole.error && (
        <p className="form-error" role="alert">
          {problem(setMemberRole.error)}
        </p>
      )}
      {owner && (
        <form className="form" onSubmit={submit}>
          <h3>{t('developer.members.add')}</h3>
          <p className="muted dev-small">{t('developer.members.addHint')}</p>
          <TextField
            name="memberEmail"
            type="email"
            dir="ltr"
            label={t('developer.members.email')}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            maxLength={254}
            data-testid="member-email"
          />
          <div className="field">
            <label htmlFor={`${id}-new-role`}>{t('developer.members.role')}</label>
            <select
              id={`${id}-new-role`}
              value={role}
              onChange={(e) => setRole(e.target.value as OrgRole)}
              data-testid="member-new-role"
            >
              {orgRoles.map((r) => (
                <option key={r} value={r}>
                  {t(`developer.role.${r}`)}
                </option>
              ))}
            </select>
          </div>
          {add.error && (
            <p className="form-error" role="alert">
              {toApiProblem(add.error).code === 'NOT_FOUND'
                ? t('developer.members.noAccount')
                : problem(add.error)}
            </p>
          )}
          <SubmitButton
            pending={add.isPending}
            label={t('developer.members.addButton')}
            pendingLabel={t('developer.members.adding')}
            testId="member-add"
          />
        </form>
      )}
      <ConfirmDialog
        {...removing.dialog}
        title={t('developer.members.remove.title')}
        body={t('developer.members.remove.body', { name: removing.target?.name ?? '' })}
        confirmLabel={t('developer.members.remove')}
        pendingLabel={t('developer.members.removing')}
        error={problem(remove.error)}
        testId="member-remove-dialog"
      />
    </section>
  );
}

/** The bookings the organisation's keys made (any member sees them), live or sandbox. */
export function OrgBookingsPanel({ org }: { org: Org }) {
  const { t, localized, formatDateTime, formatMoney } = useI18n();
  const id = useId();
  const [mode, setMode] = useState<'live' | 'test'>('live');
  const list = trpc.org.bookings.useInfiniteQuery(
    { orgId: org.id, mode },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="card" aria-labelledby="dev-bookings-title" data-testid="org-bookings">
      <h2 id="dev-bookings-title">{t('developer.bookings.title')}</h2>
      <div className="field">
        <label htmlFor={`${id}-mode`}>{t('developer.bookings.mode')}</label>
        <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.target.value as 'live' | 'test')}>
          <option value="live">{t('developer.bookings.live')}</option>
          <option value="test">{t('developer.bookings.test')}</option>
        </select>
      </div>
      {list.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="muted">{t('developer.bookings.empty')}</p>
      ) : (
        <ul className="dev-list">
          {items.map((b) => (
            <li key={b.id} id={`booking-${b.id}`} className="dev-item" data-testid="org-booking">
              <div className="dev-item-head">
                <strong>{localized(b.service.name)}</strong>
                <span
                  className={`badge${b.status === 'cancelled' || b.status === 'unfulfilled' ? ' badge-warning' : ''}`}
                  data-testid="org-booking-status"
                >
                  {t(`status.${b.status}`)}
                </span>
              </div>
              <p className="muted dev-small">
                {b.location.address} · {formatDateTime(b.createdAt)}
              </p>
              <details>
                <summary>{t('developer.bookings.details')}</summary>
                <dl className="dev-small dev-facts">
                  <dt>{t('developer.bookings.reference')}</dt>
                  <dd>
                    <code dir="ltr">{b.id}</code>
                  </dd>
                  {b.siteContact && (
                    <>
                      <dt>{t('developer.bookings.contact')}</dt>
                      <dd>
                        {b.siteContact.name}
                        {b.siteContact.phone && (
                          <>
                            {' · '}
                            <a href={`tel:${b.siteContact.phone}`} dir="ltr">
                              {b.siteContact.phone}
                            </a>
                          </>
                        )}
                      </dd>
                    </>
                  )}
                  <dt>{t('developer.bookings.technician')}</dt>
                  <dd>{b.technician?.name ?? t('developer.bookings.noTechnician')}</dd>
                  <dt>{t('developer.bookings.price')}</dt>
                  <dd>{formatMoney(b.price.total)}</dd>
                </dl>
                <a href="/docs#p-booking-get" className="dev-small">
                  {t('developer.bookings.api')}
                </a>
              </details>
            </li>
          ))}
        </ul>
      )}
      {list.error && (
        <p className="form-error" role="alert">
          {t(`errors.${toApiProblem(list.error).code}`)}
        </p>
      )}
      <LoadMore pages={list} label={t('developer.bookings.more')} />
    </section>
  );
}
