import { type HoursRange, minutesOf } from '../../contracts/schedule';

/** Weekly hours as stored: ISO weekday (1 = Monday) and `[start, end)` minutes after local midnight. */
export type DayRange = { weekday: number; start: number; end: number };
/** A technician's hours in their zone; `null` means "no hours set": always available. */
export type Schedule = { timeZone: string; ranges: DayRange[] } | null;

/** Sorted, with overlapping and touching ranges of the same day merged into one. */
export function mergeRanges(input: Array<HoursRange | DayRange>): DayRange[] {
  const ranges = input
    .map((r) =>
      'start' in r && typeof r.start === 'string'
        ? { weekday: r.weekday, start: minutesOf(r.start), end: minutesOf(r.end as string) }
        : (r as DayRange),
    )
    .sort((a, b) => a.weekday - b.weekday || a.start - b.start);
  const out: DayRange[] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last && last.weekday === r.weekday && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formats = new Map<string, Intl.DateTimeFormat>();
/** (zone, minute) → local weekday and minute of day: "now" asks the same question many times a minute. */
const cache = new Map<string, { weekday: number; minute: number }>();

/** Is this an IANA zone the runtime knows? */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The local ISO weekday and minute of day of an instant in a zone (DST included: Cairo has it). */
export function localTime(at: Date | number, timeZone: string): { weekday: number; minute: number } {
  const ms = typeof at === 'number' ? at : at.getTime();
  const key = `${timeZone}|${Math.floor(ms / 60_000)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  let weekday = 1;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(ms)) {
    if (p.type === 'weekday') weekday = WEEKDAY[p.value] ?? 1;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  const value = { weekday, minute: hour * 60 + minute };
  if (cache.size > 50_000) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * Is the technician at work for the whole of `[start, end)` (an instant when `end` is omitted)? One
 * range of the start's local day must hold it: a job does not run across local midnight.
 */
export function worksDuring(schedule: Schedule, start: Date | number, end?: Date | number): boolean {
  if (!schedule) return true;
  const s = typeof start === 'number' ? start : start.getTime();
  const e = end === undefined ? s : typeof end === 'number' ? end : end.getTime();
  const { weekday, minute } = localTime(s, schedule.timeZone);
  const length = Math.max(1, Math.ceil((e - s) / 60_000));
  return schedule.ranges.some((r) => r.weekday === weekday && r.start <= minute && minute + length <= r.end);
}

/** Does any `[from, to)` interval (epoch ms) overlap `[start, end)` (or contain the instant `start`)? */
export function overlapsAny(intervals: Array<[number, number]>, start: number, end = start): boolean {
  return intervals.some(([from, to]) =>
    end > start ? from < end && to > start : from <= start && to > start,
  );
}
