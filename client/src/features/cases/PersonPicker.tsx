import { useEffect, useId, useState } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';

export type Picked = { id: string; name: string };

/**
 * Search-as-you-type for a customer or a technician (admin.users.search, by name, e-mail or phone):
 * a few matches as buttons under the field; the chosen one shows as a removable chip.
 */
export function PersonPicker({
  kind,
  label,
  value,
  onChange,
  testId,
}: {
  kind: 'customer' | 'technician';
  label: string;
  /** The chosen account (its name may be unknown yet when it came from a link). */
  value: { id: string; name: string | null } | null;
  onChange: (picked: Picked | null) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const matches = trpc.admin.users.search.useQuery(
    { q, role: kind },
    { enabled: q.length >= 2 && !value, staleTime: 30_000 },
  );
  const items = (matches.data?.items ?? []).slice(0, 6);

  if (value)
    return (
      <div className="field cases-person" data-testid={testId}>
        <span>{label}</span>
        <span className="chip cases-picked">
          <bdi>{value.name ?? t('cases.board.someone')}</bdi>
          <button
            type="button"
            className="button-link"
            aria-label={t('cases.board.clearPerson', { name: value.name ?? t('cases.board.someone') })}
            data-testid={`${testId}-clear`}
            onClick={() => onChange(null)}
          >
            ×
          </button>
        </span>
      </div>
    );
  return (
    <div className="field cases-person" data-testid={testId}>
      <label htmlFor={`${id}-q`}>{label}</label>
      <input
        id={`${id}-q`}
        type="search"
        value={text}
        maxLength={100}
        autoComplete="off"
        placeholder={t('cases.board.personHint')}
        aria-describedby={`${id}-matches`}
        data-testid={`${testId}-q`}
        onChange={(e) => setText(e.target.value)}
      />
      <ul id={`${id}-matches`} className="cases-picker-list" aria-live="polite">
        {q.length >= 2 && matches.isSuccess && items.length === 0 && (
          <li className="muted small">{t('cases.board.nobody')}</li>
        )}
        {items.map((u) => (
          <li key={u.id}>
            <button
              type="button"
              className="button-link"
              data-testid={`${testId}-option`}
              onClick={() => {
                setText('');
                setQ('');
                onChange({ id: u.id, name: u.name });
              }}
            >
              <bdi>{u.name}</bdi> <span className="muted small">{u.email}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
