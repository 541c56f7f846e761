/**
 * The key form's optional expiry: a calendar day picked in an `<input type="date">` (YYYY-MM-DD), sent to
 * `apiKey.create` as an instant. The key works through the whole of that day on this device's clock: it
 * expires at the day's last millisecond, local time.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `apiKey.create`'s `expiresAt` for a picked day; undefined for none (the key does not expire) or junk. */
export function expiryInstant(day: string): string | undefined {
  const m = DAY.exec(day.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const end = new Date(y, mo - 1, d, 23, 59, 59, 999);
  // 2026-02-31 would roll over into March: not a day anyone picked.
  if (end.getFullYear() !== y || end.getMonth() !== mo - 1 || end.getDate() !== d) return undefined;
  return end.toISOString();
}

/** Today as the date input's `min` (local time): an expiry can be no earlier than the end of today. */
export function todayInput(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
