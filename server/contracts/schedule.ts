import { z } from 'zod';
import { latSchema, lngSchema } from './geo';
import { CONTROL_CHARACTERS_MESSAGE, SINGLE_LINE_TEXT } from './text';

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

/** "HH:MM" on a 24-hour clock; "24:00" only as an end (working until midnight). */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use HH:MM (24-hour clock)');

export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const clockOf = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export const hoursRange = z
  .object({ weekday: z.number().int().min(1).max(7), start: clock, end: clock })
  .refine((r) => minutesOf(r.start) < minutesOf(r.end), {
    message: 'A range must end after it starts',
    path: ['end'],
  });
export type HoursRange = z.infer<typeof hoursRange>;

/**
 * `technician.setHours`: the whole week at once (it replaces what was there). Several ranges per day;
 * overlapping or touching ones are merged. `ranges: []` means "not working any day"; `clear: true`
 * removes the hours altogether (back to the default: available whenever online).
 */
export const setHoursInput = z.object({
  /** IANA time zone of the hours: one of the markets' (default: the technician's own time zone). */
  timeZone: z.string().min(3).max(64).optional(),
  ranges: z.array(hoursRange).max(7 * 6),
  clear: z.boolean().optional(),
});

export type WorkingHours = {
  /** False: no hours set, so they are available whenever online (the default). */
  set: boolean;
  timeZone: string;
  ranges: HoursRange[];
};

const instant = z.iso.datetime({ offset: true });

export const addTimeOffInput = z
  .object({
    startsAt: instant,
    endsAt: instant,
    reason: z.string().trim().max(200).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  })
  .refine((v) => Date.parse(v.endsAt) > Date.parse(v.startsAt), {
    message: 'Time off must end after it starts',
    path: ['endsAt'],
  })
  .refine((v) => Date.parse(v.endsAt) - Date.parse(v.startsAt) <= 366 * 24 * 3600_000, {
    message: 'Time off is at most a year',
    path: ['endsAt'],
  });

export const removeTimeOffInput = z.object({ id: z.uuid() });

export type TimeOff = { id: string; startsAt: string; endsAt: string; reason: string | null };

/** Bookable start times for a service at a place, between `from` and `to` (at most 14 days apart). */
export const slotsInput = z
  .object({
    technicianId: z.uuid().optional(),
    serviceId: z.uuid(),
    lat: latSchema,
    lng: lngSchema,
    from: instant,
    to: instant,
  })
  .refine((v) => Date.parse(v.to) > Date.parse(v.from), { message: 'to must be after from', path: ['to'] })
  .refine((v) => Date.parse(v.to) - Date.parse(v.from) <= 14 * 24 * 3600_000, {
    message: 'At most 14 days at a time',
    path: ['to'],
  });

export type Slot = {
  /** When the job starts and ends (UTC ISO). */
  start: string;
  end: string;
  /** How many suitable technicians are free then (1 when a technician was named). */
  technicians: number;
};

export type Slots = {
  /** The time zone to show the times in: the technician's, or the market's at the pin. */
  timeZone: string;
  durationMinutes: number;
  stepMinutes: number;
  slots: Slot[];
};
