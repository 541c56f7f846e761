import type { MessageKey } from '../../../i18n/en';

/** The form's fields that can show an error. */
export type Field = 'location' | 'address' | 'addressDetails' | 'notes' | 'scheduledFor';

/** The server's invalid input names, mapped onto our fields and translated messages. */
export const SERVER_FIELD_MESSAGES: Record<string, { field: Field; message: MessageKey }> = {
  lat: { field: 'location', message: 'book.error.location' },
  lng: { field: 'location', message: 'book.error.location' },
  address: { field: 'address', message: 'book.error.address' },
  addressDetails: { field: 'addressDetails', message: 'book.error.tooLong' },
  notes: { field: 'notes', message: 'book.error.tooLong' },
  scheduledFor: { field: 'scheduledFor', message: 'book.error.schedule' },
};

/** `datetime-local` values are wall-clock times in the device's zone; the API wants an instant. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) return undefined;
  return date.toISOString();
}

/** A Date as a `datetime-local` value ("2026-11-21T14:30") in the device's zone. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// ~1 m: finer than that only busts the quote cache while someone fiddles with the pin.
export const round = (value: number) => Math.round(value * 1e5) / 1e5;
// ~100 m: plenty for "who is around" (the answer comes in ~300 m cells).
export const roundCoarse = (value: number) => Math.round(value * 1e3) / 1e3;
