import './reviews.css';
import { useId } from 'react';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * Choosing 1–5 stars: a radio group (arrow keys move, each star is labelled "4 stars"), drawn as stars.
 * In RTL the row mirrors with the text, as Arabic readers expect.
 */
export function StarInput({
  value,
  onChange,
  legend,
  name,
  disabled,
}: {
  value: number | null;
  onChange: (value: number) => void;
  legend: string;
  name: string;
  disabled?: boolean;
}) {
  const { t, formatNumber } = useI18n();
  const id = useId();
  return (
    <fieldset className="star-input" disabled={disabled} data-testid={`${name}-input`}>
      <legend>{legend}</legend>
      <div className="star-input-row">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className={value !== null && n <= value ? 'star-on' : 'star-off'}>
            <input
              type="radio"
              name={`${name}-${id}`}
              value={n}
              checked={value === n}
              onChange={() => onChange(n)}
              className="visually-hidden"
              data-testid={`${name}-${n}`}
            />
            <span aria-hidden="true">★</span>
            <span className="visually-hidden">{t('stars.outOf', { value: formatNumber(n) })}</span>
          </label>
        ))}
      </div>
      {value !== null && <p className="muted small">{t(`stars.word.${value as 1 | 2 | 3 | 4 | 5}`)}</p>}
    </fieldset>
  );
}
