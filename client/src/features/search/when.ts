/**
 * The "Available at" filter: a `datetime-local` value (wall clock in the device's zone, "2026-11-21T14:30")
 * as the instant the API wants, or undefined when empty, unreadable or not in the future.
 */
export function whenToIso(value: string | null | undefined, now = Date.now()): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() <= now) return undefined;
  return date.toISOString();
}
