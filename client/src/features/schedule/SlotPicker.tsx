import { keepPreviousData, skipToken } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { trpc } from '../../lib/trpc';
import './schedule.css';

const WEEK_MS = 7 * 24 * 3600_000;
// ~100 m: the slots hardly change within that, and the cache key stays put while the pin is nudged.
const coarse = (v: number) => Math.round(v * 1e3) / 1e3;

/**
 * The bookable start times of a chosen technician at the pin for the next 7 days (`availability.slots`:
 * their hours, time off, and the drive from their previous job), grouped by day in the job's time zone.
 */
export function SlotPicker({
  technician,
  serviceId,
  pin,
  value,
  onChange,
  error,
}: {
  technician: { id: string; name: string };
  serviceId: string;
  pin: { lat: number; lng: number } | null;
  value: string | undefined;
  onChange: (startIso: string) => void;
  error?: string | undefined;
}) {
  const { t, locale } = useI18n();
  const id = useId();
  // The window starts when the picker opens (a stable query key), not on every render.
  const [from] = useState(() => Date.now());
  const slots = trpc.availability.slots.useQuery(
    pin
      ? {
          technicianId: technician.id,
          serviceId,
          lat: coarse(pin.lat),
          lng: coarse(pin.lng),
          from: new Date(from).toISOString(),
          to: new Date(from + WEEK_MS).toISOString(),
        }
      : skipToken,
    { placeholderData: keepPreviousData, staleTime: 30_000 },
  );
  const zone = slots.data?.timeZone;
  const days = useMemo(() => {
    if (!slots.data) return [];
    const tag = INTL_LOCALES[locale];
    const day = new Intl.DateTimeFormat(tag, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      timeZone: zone,
    });
    const time = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit', timeZone: zone });
    const groups = new Map<string, Array<{ start: string; label: string }>>();
    for (const s of slots.data.slots) {
      const key = day.format(new Date(s.start));
      const list = groups.get(key) ?? [];
      list.push({ start: s.start, label: time.format(new Date(s.start)) });
      groups.set(key, list);
    }
    return [...groups.entries()];
  }, [slots.data, locale, zone]);

  return (
    <fieldset className="field" data-testid="slot-picker" aria-describedby={`${id}-hint`}>
      <legend>{t('schedule.slots.legend', { name: technician.name })}</legend>
      <p id={`${id}-hint`} className="field-hint">
        {t('schedule.slots.hint', { name: technician.name })}
      </p>
      {!pin ? (
        <p className="muted small">{t('schedule.slots.needPin')}</p>
      ) : slots.isPending ? (
        <p className="muted small" role="status">
          <Spinner small /> {t('schedule.slots.loading')}
        </p>
      ) : slots.error ? (
        <p className="form-error" role="alert">
          {t('schedule.slots.error')}
        </p>
      ) : days.length === 0 ? (
        <p className="muted small" data-testid="slots-none">
          {t('schedule.slots.none')}
        </p>
      ) : (
        days.map(([day, list]) => (
          <fieldset key={day} className="slot-group">
            <legend className="slot-day">{day}</legend>
            <div className="slot-grid">
              {list.map((s) => (
                <div className="slot" key={s.start}>
                  <input
                    type="radio"
                    id={`${id}-${s.start}`}
                    name="slot"
                    value={s.start}
                    checked={value === s.start}
                    onChange={() => onChange(s.start)}
                    data-testid="slot"
                  />
                  <label htmlFor={`${id}-${s.start}`}>{s.label}</label>
                </div>
              ))}
            </div>
          </fieldset>
        ))
      )}
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
