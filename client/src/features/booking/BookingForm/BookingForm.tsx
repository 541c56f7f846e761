import { keepPreviousData, skipToken } from '@tanstack/react-query';
import { type FormEvent, useMemo, useRef, useState } from 'react';
import type { Service } from '../../../../../server/contracts/catalog';
import type { Market } from '../../../../../server/contracts/market';
import type { MessageKey } from '../../../i18n/en';
import { useI18n } from '../../../i18n/I18nProvider';
import { toApiProblem } from '../../../lib/apiErrors';
import { type LatLng, marketCenter } from '../../../lib/geolocation';
import { trpc } from '../../../lib/trpc';
import { usePriceLabel } from '../../catalog/ServicePrice';
import { QuotePanel } from '../QuotePanel';
import { useCreateBooking } from '../useCreateBooking';
import { AddressFields } from './AddressFields';
import { type Field, localToIso, round, SERVER_FIELD_MESSAGES } from './fields';
import { LocationField } from './LocationField';
import { SubmitSection } from './SubmitSection';
import { ChosenTechnician, EmergencySwitch } from './Switches';
import { type When, WhenField } from './WhenField';

/**
 * The booking request: where (a pin), the address, when, emergency, a chosen technician's fallback, the
 * live quote, and the request itself. Holds the state and the checks; each part renders one section.
 */
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
  const { t, localized, formatMinutes } = useI18n();
  const priceLabel = usePriceLabel();
  const formRef = useRef<HTMLFormElement>(null);
  const locateRef = useRef<HTMLButtonElement>(null);

  const [pin, setPin] = useState<LatLng | null>(null);
  const [when, setWhen] = useState<When>('now');
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
  const serverFieldErrors: Partial<Record<Field, MessageKey>> = {};
  for (const name of serverProblem?.invalidFields ?? []) {
    const mapped = SERVER_FIELD_MESSAGES[name];
    if (mapped) serverFieldErrors[mapped.field] = mapped.message;
  }
  const fieldError = (field: Field) => {
    const key = errors[field] ?? (mutation.isError ? serverFieldErrors[field] : undefined);
    return key ? t(key) : undefined;
  };

  return (
    <form ref={formRef} className="form" noValidate onSubmit={submit} data-testid="booking-form">
      <p className="service-summary">
        <span>{priceLabel(service.basePrice, service.priceUnit)}</span>
        <span aria-hidden="true"> · </span>
        <span>{t('book.duration', { duration: formatMinutes(service.durationMinutes) })}</span>
      </p>
      {localized(service.description) && <p className="muted">{localized(service.description)}</p>}

      <LocationField
        serviceId={service.id}
        pin={pin}
        startCenter={startCenter}
        onPick={placePin}
        locateRef={locateRef}
        error={fieldError('location')}
        errorLinked={Boolean(errors.location)}
      />
      <AddressFields fieldError={fieldError} clearError={clearError} />
      <WhenField
        when={when}
        onWhen={(option) => {
          setWhen(option);
          clearError('scheduledFor');
        }}
        technician={technician}
        serviceId={service.id}
        pin={pin}
        slot={slot}
        onSlot={(start) => {
          setSlot(start);
          clearError('scheduledFor');
        }}
        scheduledLocal={scheduledLocal}
        onScheduledLocal={(value) => {
          setScheduledLocal(value);
          clearError('scheduledFor');
        }}
        error={fieldError('scheduledFor')}
      />
      <EmergencySwitch
        checked={emergency}
        onChange={setEmergency}
        surchargePct={service.emergencySurchargePct}
      />
      {technician && (
        <ChosenTechnician technician={technician} fallback={fallback} onFallback={setFallback} />
      )}

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

      <SubmitSection error={mutation.error} pending={mutation.isPending} />
    </form>
  );
}
