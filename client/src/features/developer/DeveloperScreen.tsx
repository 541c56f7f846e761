import { type FormEvent, useId, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import {
  type ApiKey,
  type ApiKeyScope,
  apiKeyScopes,
  ORG_MANAGER_ROLES,
  type Org,
  type WebhookEndpoint,
  type WebhookEventType,
  webhookEventTypes,
} from '../../../../server/contracts/developer';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
import { Screen } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { useI18n } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { DangerButton, SubmitButton, useAskFirst } from './controls';
import { MembersPanel, OrgBookingsPanel } from './OrgPanels';
import './developer.css';
import { expiryInstant, todayInput } from './expiry';

/**
 * Organisation members: API keys (secret shown once) and webhook endpoints with their delivery log (owners
 * and developers); the organisation's bookings and its members (everyone; owners manage the members).
 */
export function DeveloperScreen({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const orgs = trpc.org.mine.useQuery();
  const [picked, setPicked] = useState<string | null>(null);
  const id = useId();
  if (orgs.isPending) return <Loading />;
  const list = orgs.data ?? [];
  const org = list.find((o) => o.id === picked) ?? list[0];
  return (
    <Screen heading={t('developer.title')} testId="developer">
      <p className="muted">{t('developer.intro')}</p>
      {!org ? (
        <CreateOrg />
      ) : (
        <>
          {list.length > 1 && (
            <div className="field">
              <label htmlFor={`${id}-org`}>{t('developer.org.pick')}</label>
              <select id={`${id}-org`} value={org.id} onChange={(e) => setPicked(e.target.value)}>
                {list.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <p className="dev-org" data-testid="developer-org">
            <strong>{org.name}</strong>{' '}
            <span className="muted">
              {t('developer.org.role', { role: t(`developer.role.${org.role}`) })}
            </span>
          </p>
          {ORG_MANAGER_ROLES.includes(org.role) ? (
            <>
              <KeysPanel org={org} />
              <WebhooksPanel org={org} />
            </>
          ) : (
            <p className="card">{t('developer.memberOnly')}</p>
          )}
          <OrgBookingsPanel org={org} />
          <MembersPanel org={org} selfId={user.id} />
        </>
      )}
    </Screen>
  );
}

function ErrorLine({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {t(`errors.${toApiProblem(error).code}`)}
    </p>
  );
}

function CreateOrg() {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const [name, setName] = useState('');
  const create = trpc.org.create.useMutation({ onSuccess: () => utils.org.mine.invalidate() });
  return (
    <form
      className="card form"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) create.mutate({ name: name.trim() });
      }}
    >
      <p>{t('developer.org.none')}</p>
      <TextField
        name="orgName"
        label={t('developer.org.name')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={100}
        data-testid="org-name"
      />
      <ErrorLine error={create.error} />
      <SubmitButton
        pending={create.isPending}
        label={t('developer.org.create')}
        pendingLabel={t('developer.org.creating')}
        testId="org-create"
      />
    </form>
  );
}

/** A secret shown once, with a copy button. */
function SecretBox({
  title,
  body,
  secret,
  onDone,
  testId,
}: {
  title: string;
  body: string;
  secret: string;
  onDone: () => void;
  testId: string;
}) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="dev-secret" role="status" data-testid={testId}>
      <h3>{title}</h3>
      <p>{body}</p>
      <code dir="ltr" className="dev-code" data-testid={`${testId}-value`}>
        {secret}
      </code>
      <div className="actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? t('developer.keys.copied') : t('developer.keys.copy')}
        </button>
        <button type="button" className="button button-ghost" onClick={onDone}>
          {t('developer.keys.done')}
        </button>
      </div>
    </div>
  );
}

function Checks<T extends string>({
  legend,
  options,
  label,
  value,
  onChange,
  error,
  name,
}: {
  legend: string;
  options: readonly T[];
  label: (o: T) => string;
  value: T[];
  onChange: (v: T[]) => void;
  error?: string;
  name: string;
}) {
  const id = useId();
  return (
    <fieldset className="field" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <div className="check" key={o}>
          <input
            type="checkbox"
            id={`${id}-${o}`}
            name={name}
            value={o}
            checked={value.includes(o)}
            onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))}
          />
          <label htmlFor={`${id}-${o}`}>
            <span>{label(o)}</span>
            <span className="muted dev-small">
              <bdi dir="ltr">{o}</bdi>
            </span>
          </label>
        </div>
      ))}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

function KeysPanel({ org }: { org: Org }) {
  const { t, formatDate, formatNumber } = useI18n();
  const utils = trpc.useUtils();
  const keys = trpc.apiKey.list.useQuery({ orgId: org.id });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['bookings:read', 'bookings:write']);
  const [test, setTest] = useState(false);
  /** The picked expiry day (YYYY-MM-DD), or '' for a key that does not expire. */
  const [expires, setExpires] = useState('');
  const [missing, setMissing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const create = trpc.apiKey.create.useMutation({
    onSuccess: (r) => {
      setSecret(r.secret);
      setName('');
      setExpires('');
      void utils.apiKey.list.invalidate();
    },
  });
  const revoke = trpc.apiKey.revoke.useMutation({ onSuccess: () => void utils.apiKey.list.invalidate() });
  const revoking = useAskFirst(revoke, (k: ApiKey) => ({ id: k.id }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(scopes.length === 0);
    if (scopes.length === 0 || !name.trim()) return;
    const expiresAt = expiryInstant(expires);
    create.mutate({
      orgId: org.id,
      name: name.trim(),
      scopes,
      mode: test ? 'test' : 'live',
      ...(expiresAt ? { expiresAt } : {}),
    });
  };
  return (
    <section className="card" aria-labelledby="dev-keys-title">
      <h2 id="dev-keys-title">{t('developer.keys.title')}</h2>
      {secret && (
        <SecretBox
          title={t('developer.keys.secret.title')}
          body={t('developer.keys.secret.body')}
          secret={secret}
          onDone={() => setSecret(null)}
          testId="key-secret"
        />
      )}
      <form className="form" onSubmit={submit}>
        <TextField
          name="keyName"
          label={t('developer.keys.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
          data-testid="key-name"
        />
        <Checks
          name="scopes"
          legend={t('developer.keys.scopes')}
          options={apiKeyScopes}
          label={(s) => t(`developer.scope.${s}`)}
          value={scopes}
          onChange={setScopes}
          error={missing ? t('developer.keys.scopeRequired') : undefined}
        />
        <div className="check">
          <input
            type="checkbox"
            id="dev-key-test"
            checked={test}
            onChange={(e) => setTest(e.target.checked)}
          />
          <label htmlFor="dev-key-test">{t('developer.keys.mode')}</label>
        </div>
        <TextField
          name="keyExpires"
          type="date"
          label={t('developer.keys.expiry')}
          hint={t('developer.keys.expiry.hint')}
          value={expires}
          min={todayInput()}
          onChange={(e) => setExpires(e.target.value)}
          data-testid="key-expires"
        />
        <ErrorLine error={create.error} />
        <SubmitButton
          pending={create.isPending}
          label={t('developer.keys.create')}
          pendingLabel={t('developer.keys.creating')}
          testId="key-create"
        />
      </form>
      {keys.data?.length === 0 && <p className="muted">{t('developer.keys.empty')}</p>}
      <ul className="dev-list" data-testid="key-list">
        {keys.data?.map((k) => (
          <li
            key={k.id}
            className="dev-item"
            data-testid="key-item"
            data-revoked={k.revokedAt ? 'true' : 'false'}
          >
            <div className="dev-item-head">
              <strong>{k.name}</strong>
              {k.revokedAt ? (
                <span className="badge badge-warning">{t('developer.keys.revoked')}</span>
              ) : (
                <span className="badge" data-testid="key-mode">
                  {t(`developer.keys.mode.${k.mode}`)}
                </span>
              )}
            </div>
            <code dir="ltr" className="dev-code">
              {k.prefix}…
            </code>
            <p className="muted dev-small" dir="ltr">
              {k.scopes.join(' · ')}
            </p>
            <p className="muted dev-small">
              {t('developer.keys.usage', { count: formatNumber(k.usageCount) })} ·{' '}
              {k.lastUsedAt
                ? t('developer.keys.lastUsed', { date: formatDate(k.lastUsedAt) })
                : t('developer.keys.never')}
            </p>
            <p className="muted dev-small" data-testid="key-expiry">
              {k.expiresAt
                ? t(
                    new Date(k.expiresAt).getTime() <= Date.now()
                      ? 'developer.keys.expired'
                      : 'developer.keys.expires',
                    { date: formatDate(k.expiresAt) },
                  )
                : t('developer.keys.noExpiry')}
            </p>
            {!k.revokedAt && (
              <DangerButton
                label={t('developer.keys.revoke')}
                name={k.name}
                onClick={() => revoking.ask(k)}
              />
            )}
          </li>
        ))}
      </ul>
      <ConfirmDialog
        {...revoking.dialog}
        title={t('developer.keys.revoke.title')}
        body={t('developer.keys.revoke.body', { name: revoking.target?.name ?? '' })}
        confirmLabel={t('developer.keys.revoke')}
        pendingLabel={t('developer.keys.revoking')}
        error={revoke.error ? t(`errors.${toApiProblem(revoke.error).code}`) : null}
        testId="key-revoke-dialog"
      />
    </section>
  );
}

function WebhooksPanel({ org }: { org: Org }) {
  const { t, formatDate } = useI18n();
  const utils = trpc.useUtils();
  const hooks = trpc.webhook.list.useQuery({ orgId: org.id });
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>(['booking.created', 'booking.status_changed']);
  const [missing, setMissing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = trpc.webhook.create.useMutation({
    onSuccess: (r) => {
      setSecret(r.secret);
      setUrl('');
      void utils.webhook.list.invalidate();
    },
  });
  const remove = trpc.webhook.delete.useMutation({ onSuccess: () => void utils.webhook.list.invalidate() });
  const deleting = useAskFirst(remove, (h: WebhookEndpoint) => ({ id: h.id }));
  const test = trpc.webhook.test.useMutation({
    onSettled: () => {
      void utils.webhook.deliveries.invalidate();
      void utils.webhook.list.invalidate();
    },
  });
  return (
    <section className="card" aria-labelledby="dev-hooks-title">
      <h2 id="dev-hooks-title">{t('developer.hooks.title')}</h2>
      {secret && (
        <SecretBox
          title={t('developer.hooks.secret.title')}
          body={t('developer.hooks.secret.body')}
          secret={secret}
          onDone={() => setSecret(null)}
          testId="hook-secret"
        />
      )}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          setMissing(events.length === 0);
          if (events.length === 0 || !url.trim()) return;
          create.mutate({ orgId: org.id, url: url.trim(), events });
        }}
      >
        <TextField
          name="hookUrl"
          type="url"
          dir="ltr"
          inputMode="url"
          label={t('developer.hooks.url')}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required
          maxLength={2048}
          placeholder="https://example.com/fundi/webhooks"
          data-testid="hook-url"
        />
        <Checks
          name="events"
          legend={t('developer.hooks.events')}
          options={webhookEventTypes}
          label={(ev) => t(`developer.event.${ev}`)}
          value={events}
          onChange={setEvents}
          error={missing ? t('developer.hooks.eventRequired') : undefined}
        />
        <ErrorLine error={create.error} />
        <SubmitButton
          pending={create.isPending}
          label={t('developer.hooks.create')}
          pendingLabel={t('developer.hooks.creating')}
          testId="hook-create"
        />
      </form>
      {hooks.data?.length === 0 && <p className="muted">{t('developer.hooks.empty')}</p>}
      <ul className="dev-list">
        {hooks.data?.map((h) => (
          <li key={h.id} className="dev-item" data-testid="hook-item">
            <code dir="ltr" className="dev-code">
              {h.url}
            </code>
            <p className="muted dev-small">{h.events.map((ev) => t(`developer.event.${ev}`)).join(' · ')}</p>
            {!h.enabled && h.disabledReason && (
              <p className="form-error" data-testid="hook-disabled">
                {t('developer.hooks.disabled', {
                  reason: t(`developer.hooks.disabledReason.${h.disabledReason}`, {
                    status: h.disabledStatus ?? '',
                  }),
                  date: h.disabledAt ? formatDate(h.disabledAt) : '',
                })}
              </p>
            )}
            {h.enabled && h.failingSince && (
              <p className="dev-warn">{t('developer.hooks.failing', { date: formatDate(h.failingSince) })}</p>
            )}
            <div className="actions">
              <button
                type="button"
                className="button button-secondary"
                disabled={test.isPending && test.variables?.id === h.id}
                onClick={() => {
                  setOpen(h.id);
                  test.mutate({ id: h.id });
                }}
              >
                {test.isPending && test.variables?.id === h.id
                  ? t('developer.hooks.testing')
                  : t('developer.hooks.test')}
              </button>
              <button
                type="button"
                className="button button-ghost"
                aria-expanded={open === h.id}
                onClick={() => setOpen(open === h.id ? null : h.id)}
              >
                {open === h.id ? t('developer.hooks.hideLog') : t('developer.hooks.log')}
              </button>
              <DangerButton label={t('developer.hooks.delete')} onClick={() => deleting.ask(h)} />
            </div>
            {open === h.id && <Deliveries endpointId={h.id} />}
          </li>
        ))}
      </ul>
      <ConfirmDialog
        {...deleting.dialog}
        title={t('developer.hooks.delete.title')}
        body={t('developer.hooks.delete.body', { url: deleting.target?.url ?? '' })}
        confirmLabel={t('developer.hooks.delete')}
        pendingLabel={t('developer.hooks.deleting')}
        error={remove.error ? t(`errors.${toApiProblem(remove.error).code}`) : null}
      />
    </section>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const utils = trpc.useUtils();
  const log = trpc.webhook.deliveries.useInfiniteQuery(
    { id: endpointId },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const replay = trpc.webhook.replay.useMutation({ onSettled: () => utils.webhook.deliveries.invalidate() });
  if (log.isPending) return <Loading />;
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  if (items.length === 0) return <p className="muted">{t('developer.hooks.noDeliveries')}</p>;
  return (
    <div>
      <ul className="dev-log" aria-live="polite">
        {items.map((d) => (
          <li key={d.id} className="dev-log-item" data-status={d.status}>
            <div className="dev-item-head">
              <span dir="ltr">{d.eventType}</span>
              <span className={`badge${d.status === 'succeeded' ? '' : ' badge-warning'}`}>
                {t(`developer.delivery.${d.status}`)}
              </span>
            </div>
            <p className="muted dev-small">
              <span dir="ltr">{d.lastStatusCode ?? t('developer.delivery.noAnswer')}</span> ·{' '}
              {t('developer.hooks.attempts', { count: formatNumber(d.attempts) })} ·{' '}
              {formatDateTime(d.lastAttemptAt ?? d.createdAt)}
            </p>
            {d.lastError && (
              <p className="muted dev-small" dir="ltr">
                {d.lastError}
              </p>
            )}
            <button
              type="button"
              className="button button-ghost"
              disabled={replay.isPending}
              onClick={() => replay.mutate({ deliveryId: d.id })}
            >
              {t('developer.hooks.replay')}
            </button>
          </li>
        ))}
      </ul>
      <LoadMore pages={log} label={t('developer.hooks.more')} />
    </div>
  );
}
