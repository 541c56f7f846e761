import { useId } from 'react';
import { useI18n } from '../../../i18n/I18nProvider';
import type { LatLng } from '../../../lib/geolocation';
import { SlotPicker } from '../../schedule/SlotPicker';
import { toLocalInput } from './fields';

export type When = 'now' | 'later';

/**
 * When: now, or later. Later is one of a chosen technician's free slots (issue 12 §5), or any time in
 * the next 89 days for the nearest technician.
 */
export function WhenField({
  when,
  onWhen,
  technician,
  serviceId,
  pin,
  slot,
  onSlot,
  scheduledLocal,
  onScheduledLocal,
  error,
}: {
  when: When;
  onWhen: (when: When) => void;
  technician: { id: string; name: string } | undefined;
  serviceId: string;
  pin: LatLng | null;
  slot: string | undefined;
  onSlot: (start: string) => void;
  scheduledLocal: string;
  onScheduledLocal: (value: string) => void;
  error: string | undefined;
}) {
  const { t } = useI18n();
  const id = useId();
  const now = new Date();
  return (
    <fieldset className="field choices">
      <legend>{t('book.when')}</legend>
      {(['now', 'later'] as const).map((option) => (
        <div className="choice" key={option}>
          <input
            type="radio"
            id={`${id}-when-${option}`}
            name="when"
            value={option}
            checked={when === option}
            onChange={() => onWhen(option)}
          />
          <label htmlFor={`${id}-when-${option}`}>
            <span className="choice-label">{t(`book.when.${option}`)}</span>
          </label>
        </div>
      ))}
      {when === 'later' && technician && (
        <SlotPicker
          technician={technician}
          serviceId={serviceId}
          pin={pin}
          value={slot}
          onChange={onSlot}
          error={error}
        />
      )}
      {when === 'later' && !technician && (
        <div className="field">
          <label htmlFor={`${id}-scheduled`}>{t('book.scheduledFor')}</label>
          <input
            id={`${id}-scheduled`}
            name="scheduledFor"
            type="datetime-local"
            required
            value={scheduledLocal}
            min={toLocalInput(new Date(now.getTime() + 30 * 60_000))}
            max={toLocalInput(new Date(now.getTime() + 89 * 24 * 3600_000))}
            onChange={(event) => onScheduledLocal(event.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-scheduled-error` : undefined}
          />
          {error && (
            <p className="field-error" id={`${id}-scheduled-error`}>
              {error}
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}
