import { keepPreviousData, skipToken } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import type { Service } from '../../../../server/contracts/catalog';
import type { Market } from '../../../../server/contracts/market';
import { Spinner } from '../../components/Spinner';
import { TextField } from '../../components/TextField';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/I18nProvider';
import { isRetryable, problemKey, toApiProblem } from '../../lib/apiErrors';
import {
  currentPosition,
  type GeoProblem,
  type LatLng,
  marketCenter,
  toGeoProblem,
} from '../../lib/geolocation';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { usePriceLabel } from '../catalog/ServicePrice';
import { type MapMarker, MapView } from '../map/MapView';
import { isPhoneUnverified, PhoneNeeded } from '../notifications/PhoneNeeded';
import { UnpaidNotice, unpaidBookingOf } from '../payments/UnpaidNotice';
import { TrustSummary } from '../reviews/TrustSummary';
import { SlotPicker } from '../schedule/SlotPicker';
import { QuotePanel } from './QuotePanel';
import { useCreateBooking } from './useCreateBooking';

type Field = 'location' | 'address' | 'addressDetails' | 'notes' | 'scheduledFor';

const SERVER_FIELD_MESSAGES: Record<string, { field: Field; message: MessageKey }> = {
  lat: { field: 'location', message: 'book.error.location' },
  lng: { field: 'location', message: 'book.error.location' },
  address: { field: 'address', message: 'book.error.address' },
  addressDetails: { field: 'addressDetails', message: 'book.error.tooLong' },
  notes: { field: 'notes', message: 'book.error.tooLong' },
  scheduledFor: { field: 'scheduledFor', message: 'book.error.schedule' },
};

/** `datetime-local` values are wall-clock times in the device's zone; the API wants an instant. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) return undefined;
  return date.toISOString();
}

/** A Date as a `datetime-local` value ("2026-11-21T14:30") in the device's zone. */
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// ~1 m: finer than that only busts the quote cache while someone fiddles with the pin.
const round = (value: number) => Math.round(value * 1e5) / 1e5;
// ~100 m: plenty for "who is around" (the answer comes in ~300 m cells).
const roundCoarse = (value: number) => Math.round(value * 1e3) / 1e3;

export function BookingForm({
  service,
  market,
  markets = [],
  onSwitchMarket,
  technician,
}: {
  service: Service;
  /** The city whose price list this service is from: the map starts there. */
  market: Market;
  markets?: Market[];
  /** The pin is in another city: switch to its price list (same service). */
  onSwitchMarket?: (slug: string) => void;
  /** A technician the customer chose: offered the job first. */
  technician?: { id: string; name: string } | undefined;
}) {
  const { t, localized, formatMinutes, formatNumber } = useI18n();
  const priceLabel = usePriceLabel();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const locateRef = useRef<HTMLButtonElement>(null);

  const [pin, setPin] = useState<LatLng | null>(null);
  const [recenter, setRecenter] = useState(0);
  const [locating, setLocating] = useState(false);
  const [geoProblem, setGeoProblem] = useState<GeoProblem | null>(null);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [scheduledLocal, setScheduledLocal] = useState('');
  // A chosen technician is booked for later on one of their free slots (issue 12 §5).
  const [slot, setSlot] = useState<string | undefined>();
  const [emergency, setEmergency] = useState(false);
  const [fallback, setFallback] = useState(true);
  const [errors, setErrors] = useState<Partial<Record<Field, MessageKey>>>({});
  const { create, mutation } = useCreateBooking();

  const startCenter = useMemo(() => marketCenter(market), [market]);
  const scheduledFor = when === 'later' ? (technician ? slot : localToIso(scheduledLocal)) : undefined;
  const scheduleMissing = when === 'later' && !scheduledFor;

  const quote = trpc.booking.quote.useQuery(
    pin && !scheduleMissing
      ? {
          serviceId: service.id,
          lat: round(pin.lat),
          lng: round(pin.lng),
          scheduledFor,
          emergency: emergency || undefined,
          // A chosen technician: the quote is at their own price.
          technicianId: technician?.id,
        }
      : skipToken,
    { placeholderData: keepPreviousData, staleTime: 30_000, refetchInterval: 60_000 },
  );

  // Available technicians around the pin (or the city, before there is one): counts only, no identities.
  const around = pin ?? startCenter;
  const nearby = trpc.tracking.nearby.useQuery(
    { lat: roundCoarse(around.lat), lng: roundCoarse(around.lng), serviceId: service.id },
    { placeholderData: keepPreviousData, staleTime: 30_000, refetchInterval: 30_000, retry: false },
  );

  // The pin is in another city than this price list: offer that city's (same service, its prices).
  const quoteProblem = quote.error ? toApiProblem(quote.error) : null;
  const wrongMarket =
    quoteProblem?.code === 'WRONG_MARKET'
      ? markets.find((m) => m.slug === quoteProblem.details?.market)
      : undefined;

  const clearError = (field: Field) =>
    setErrors((current) => {
      if (!current[field]) return current;
      const next = { ...current };
      delete next[field];
      return next;
    });

  const placePin = (position: LatLng) => {
    setPin(position);
    clearError('location');
  };

  const locate = async () => {
    setLocating(true);
    setGeoProblem(null);
    try {
      const position = await currentPosition();
      placePin({ lat: position.coords.latitude, lng: position.coords.longitude });
      setRecenter((n) => n + 1);
    } catch (error) {
      setGeoProblem(toGeoProblem(error));
    } finally {
      setLocating(false);
    }
  };

  const focusField = (field: Field) => {
    if (field === 'location') {
      locateRef.current?.focus();
      return;
    }
    const element = formRef.current?.elements.namedItem(field);
    if (element instanceof HTMLElement) element.focus();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const address = text('address');
    const addressDetails = text('addressDetails');
    const notes = text('notes');

    const found: Partial<Record<Field, MessageKey>> = {};
    if (!pin) found.location = 'book.error.location';
    if (address.length < 3) found.address = 'book.error.address';
    if (scheduleMissing) found.scheduledFor = 'book.error.schedule';
    setErrors(found);
    const first = (['location', 'address', 'scheduledFor'] as const).find((field) => found[field]);
    if (first || !pin) {
      if (first) focusField(first);
      return;
    }
    create(
      {
        serviceId: service.id,
        lat: pin.lat,
        lng: pin.lng,
        address,
        addressDetails: addressDetails || undefined,
        notes: notes || undefined,
        scheduledFor,
        emergency: emergency || undefined,
        ...(technician ? { technicianId: technician.id, fallbackToNearest: fallback } : {}),
      },
      localized(service.name),
    );
  };

  // The server's validation, mapped onto our own translated messages.
  const serverProblem = mutation.error ? toApiProblem(mutation.error) : null;
  // An earlier booking is still unpaid: say so, with the way to pay it.
  const unpaidId = unpaidBookingOf(serverProblem?.details);
  const serverFieldErrors: Partial<Record<Field, MessageKey>> = {};
  for (const name of serverProblem?.invalidFields ?? []) {
    const mapped = SERVER_FIELD_MESSAGES[name];
    if (mapped) serverFieldErrors[mapped.field] = mapped.message;
  }
  const fieldError = (field: Field) => {
    const key = errors[field] ?? (mutation.isError ? serverFieldErrors[field] : undefined);
    return key ? t(key) : undefined;
  };

  const pending = mutation.isPending;
  const retryLabel = mutation.isError && isRetryable(mutation.error);
  const cells = nearby.data?.cells;
  const markers = useMemo<MapMarker[]>(() => {
    const list: MapMarker[] = (cells ?? []).map((cell) => ({
      id: `cell:${cell.lat},${cell.lng}`,
      position: { lat: cell.lat, lng: cell.lng },
      kind: 'cell',
      text: formatNumber(cell.count),
      label: t('nearby.label', { count: formatNumber(cell.count) }),
      testId: 'nearby-cell',
    }));
    if (pin) list.push({ id: 'pin', position: pin, kind: 'job', label: t('book.map.pin'), editable: true });
    return list;
  }, [pin, cells, t, formatNumber]);
  const now = new Date();
  const surcharge = service.emergencySurchargePct;

  return (
    <form ref={formRef} className="form" noValidate onSubmit={submit} data-testid="booking-form">
      <p className="service-summary">
        <span>{priceLabel(service.basePrice, service.priceUnit)}</span>
        <span aria-hidden="true"> · </span>
        <span>{t('book.duration', { duration: formatMinutes(service.durationMinutes) })}</span>
      </p>
      {localized(service.description) && <p className="muted">{localized(service.description)}</p>}

      <fieldset className="field" aria-describedby={`${id}-map-hint`}>
        <legend>{t('book.where')}</legend>
        <p id={`${id}-map-hint`} className="field-hint">
          {pin ? t('book.map.hintPlaced') : t('book.map.hint')}
        </p>
        <MapView
          label={t('book.map.label')}
          center={pin ?? startCenter}
          zoom={pin ? 16 : 12}
          markers={markers}
          onPick={placePin}
          pickCenterLabel={t('book.map.pickCenter')}
          recenterKey={recenter}
        />
        {!pin && nearby.data && (
          <p className="muted small" data-testid="nearby-count" data-count={nearby.data.count}>
            {nearby.data.count > 0
              ? t('nearby.count', { count: formatNumber(nearby.data.count) })
              : t('nearby.none')}
          </p>
        )}
        <button
          ref={locateRef}
          type="button"
          className="button button-secondary"
          data-testid="use-my-location"
          onClick={() => void locate()}
          disabled={locating}
          aria-describedby={errors.location ? `${id}-location-error` : undefined}
        >
          {locating && <Spinner small />}
          {locating ? t('book.locating') : t('book.useMyLocation')}
        </button>
        {geoProblem && (
          <p className="field-error" role="alert">
            {t(`geo.${geoProblem}`)}
          </p>
        )}
        {fieldError('location') && (
          <p className="field-error" id={`${id}-location-error`}>
            {fieldError('location')}
          </p>
        )}
      </fieldset>

      <TextField
        name="address"
        label={t('book.address')}
        hint={t('book.addressHint')}
        autoComplete="street-address"
        required
        minLength={3}
        maxLength={300}
        error={fieldError('address')}
        onChange={() => clearError('address')}
      />
      <TextField
        name="addressDetails"
        label={t('book.addressDetails')}
        hint={t('book.addressDetailsHint')}
        maxLength={300}
        error={fieldError('addressDetails')}
      />
      <div className="field">
        <label htmlFor={`${id}-notes`}>{t('book.notes')}</label>
        <p id={`${id}-notes-hint`} className="field-hint">
          {t('book.notesHint')}
        </p>
        <textarea
          id={`${id}-notes`}
          name="notes"
          rows={3}
          maxLength={1000}
          aria-describedby={`${id}-notes-hint`}
          aria-invalid={fieldError('notes') ? true : undefined}
        />
        {fieldError('notes') && <p className="field-error">{fieldError('notes')}</p>}
      </div>

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
              onChange={() => {
                setWhen(option);
                clearError('scheduledFor');
              }}
            />
            <label htmlFor={`${id}-when-${option}`}>
              <span className="choice-label">{t(`book.when.${option}`)}</span>
            </label>
          </div>
        ))}
        {when === 'later' && technician && (
          <SlotPicker
            technician={technician}
            serviceId={service.id}
            pin={pin}
            value={slot}
            onChange={(start) => {
              setSlot(start);
              clearError('scheduledFor');
            }}
            error={fieldError('scheduledFor')}
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
              onChange={(event) => {
                setScheduledLocal(event.target.value);
                clearError('scheduledFor');
              }}
              aria-invalid={fieldError('scheduledFor') ? true : undefined}
              aria-describedby={fieldError('scheduledFor') ? `${id}-scheduled-error` : undefined}
            />
            {fieldError('scheduledFor') && (
              <p className="field-error" id={`${id}-scheduled-error`}>
                {fieldError('scheduledFor')}
              </p>
            )}
          </div>
        )}
      </fieldset>

      <div className="switch-field">
        <input
          type="checkbox"
          role="switch"
          aria-checked={emergency}
          id={`${id}-emergency`}
          name="emergency"
          checked={emergency}
          onChange={(event) => setEmergency(event.target.checked)}
          aria-describedby={`${id}-emergency-hint`}
        />
        <label htmlFor={`${id}-emergency`}>
          <span className="choice-label">{t('book.emergency')}</span>
          <span className="choice-hint" id={`${id}-emergency-hint`}>
            {surcharge > 0
              ? t('book.emergencyHint', { pct: formatNumber(surcharge / 100, { style: 'percent' }) })
              : t('book.emergencyNoCharge')}
          </span>
        </label>
      </div>

      {technician && (
        <div className="switch-field" data-testid="chosen-technician">
          <input
            type="checkbox"
            role="switch"
            aria-checked={fallback}
            id={`${id}-fallback`}
            checked={fallback}
            onChange={(event) => setFallback(event.target.checked)}
            aria-describedby={`${id}-fallback-hint`}
          />
          <label htmlFor={`${id}-fallback`}>
            <span className="choice-label">{t('book.chosen.title', { name: technician.name })}</span>
            <span className="choice-hint" id={`${id}-fallback-hint`}>
              {t('book.chosen.fallback', { name: technician.name })}
            </span>
          </label>
        </div>
      )}
      {technician && <TrustSummary technicianId={technician.id} name={technician.name} />}

      {wrongMarket && onSwitchMarket && (
        <button
          type="button"
          className="button button-secondary"
          data-testid="switch-market"
          onClick={() => onSwitchMarket(wrongMarket.slug)}
        >
          {t('market.switchTo', { city: localized(wrongMarket.name) })}
        </button>
      )}
      <QuotePanel
        hasPin={pin !== null}
        scheduleMissing={scheduleMissing}
        quote={quote.data}
        fetching={quote.isFetching}
        error={quote.error}
        onRetry={() => void quote.refetch()}
        priceUnit={service.priceUnit}
        durationMinutes={service.durationMinutes}
        markets={markets}
        pin={pin ?? undefined}
        technicianName={technician?.name}
      />

      {unpaidId && <UnpaidNotice bookingId={unpaidId} />}
      {mutation.isError && isPhoneUnverified(mutation.error) && <PhoneNeeded reason="booking" />}
      {mutation.isError && !unpaidId && !isPhoneUnverified(mutation.error) && (
        <div className="form-error" role="alert" data-testid="form-error">
          <p>
            {t(
              problemKey(mutation.error, {
                CONFLICT: 'book.error.conflict',
                NETWORK: 'book.error.network',
              }),
            )}
          </p>
          {serverProblem?.code === 'CONFLICT' && <Link href="/bookings">{t('book.seeBookings')}</Link>}
        </div>
      )}
      <button
        type="submit"
        className="button button-primary button-block button-large"
        data-testid="request-booking"
        disabled={pending}
      >
        {pending && <Spinner small />}
        {pending ? t('book.requesting') : retryLabel ? t('book.requestAgain') : t('book.request')}
      </button>
      <p className="muted small">{t('book.payCash')}</p>
    </form>
  );
}
