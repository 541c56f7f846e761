import { type FormEvent, useId, useMemo, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import { type HoursRange, minutesOf } from '../../../../server/contracts/schedule';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import './schedule.css';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
type Range = { start: string; end: string };
type Week = Record<number, Range[]>;

const emptyWeek = (): Week => Object.fromEntries(WEEKDAYS.map((d) => [d, []])) as unknown as Week;

function toWeek(ranges: HoursRange[]): Week {
  const week = emptyWeek();
  for (const r of ranges) week[r.weekday]!.push({ start: r.start, end: r.end });
  return week;
}

/** `<input type="time">` cannot say 24:00: the last minute of the day stands for midnight. */
const toInput = (hhmm: string) => (hhmm === '24:00' ? '23:59' : hhmm);
const fromInput = (hhmm: string) => (hhmm === '23:59' ? '24:00' : hhmm);

/** "2026-11-21T14:30" (device zone, for datetime-local) from an instant, and back. */
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The technician's weekly hours and time off (issue 12 §5): 360 px first, every target ≥ 44 px. */
export function HoursScreen(_: { user: PublicUser }) {
  const { t, locale } = useI18n();
  const hours = trpc.technician.hours.useQuery(undefined, { staleTime: 30_000 });
  const dayName = useMemo(() => {
    const f = new Intl.DateTimeFormat(INTL_LOCALES[locale], { weekday: 'long', timeZone: 'UTC' });
    // 2024-01-01 was a Monday: ISO weekday d is 2024-01-0d.
    return (d: number) => f.format(Date.UTC(2024, 0, d));
  }, [locale]);

  return (
    <Screen heading={t('schedule.title')} testId="hours-screen">
      <nav className="breadcrumbs">
        <Link href="/">{t('schedule.back')}</Link>
      </nav>
      {hours.data ? (
        <HoursEditor initial={hours.data} dayName={dayName} />
      ) : hours.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(hours.error))}
        </p>
      ) : (
        <Spinner />
      )}
      <TimeOffEditor />
    </Screen>
  );
}

function HoursEditor({
  initial,
  dayName,
}: {
  initial: { set: boolean; timeZone: string; ranges: HoursRange[] };
  dayName: (d: number) => string;
}) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [week, setWeek] = useState<Week>(() => toWeek(initial.ranges));
  const [invalid, setInvalid] = useState(false);
  const [saved, setSaved] = useState(false);
  const save = trpc.technician.setHours.useMutation({
    onSuccess: (data) => {
      utils.technician.hours.setData(undefined, data);
      // What the server kept (merged ranges; none after "remove all").
      setWeek(toWeek(data.ranges));
      setSaved(true);
    },
  });

  const update = (day: number, fn: (list: Range[]) => Range[]) => {
    setSaved(false);
    setWeek((w) => ({ ...w, [day]: fn(w[day] ?? []) }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const ranges = WEEKDAYS.flatMap((weekday) =>
      (week[weekday] ?? []).map((r) => ({ weekday, start: r.start, end: r.end })),
    );
    const bad = ranges.some((r) => !r.start || !r.end || minutesOf(r.start) >= minutesOf(r.end));
    setInvalid(bad);
    if (!bad) save.mutate({ ranges, timeZone: initial.timeZone });
  };

  return (
    <form className="card form hours-editor" onSubmit={submit} noValidate data-testid="hours-editor">
      <h2>{t('schedule.hours.heading')}</h2>
      <p className="muted small" data-testid="hours-state" data-set={initial.set}>
        {initial.set ? t('schedule.hours.zone', { zone: initial.timeZone }) : t('schedule.hours.notSet')}
      </p>
      <ul className="hours-week">
        {WEEKDAYS.map((day) => {
          const list = week[day] ?? [];
          return (
            <li key={day} className="hours-day" data-testid={`hours-day-${day}`}>
              <div className="hours-day-head">
                <span className="hours-day-name">{dayName(day)}</span>
                {list.length === 0 && <span className="muted small">{t('schedule.hours.off')}</span>}
              </div>
              {list.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: ranges have no identity of their own.
                <div className="hours-range" key={i}>
                  <label className="hours-time">
                    <span className="visually-hidden">
                      {dayName(day)} {t('schedule.hours.from')}
                    </span>
                    <span aria-hidden="true">{t('schedule.hours.from')}</span>
                    <input
                      type="time"
                      value={toInput(r.start)}
                      required
                      data-testid="hours-start"
                      onChange={(e) =>
                        update(day, (l) => l.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))
                      }
                    />
                  </label>
                  <label className="hours-time">
                    <span className="visually-hidden">
                      {dayName(day)} {t('schedule.hours.to')}
                    </span>
                    <span aria-hidden="true">{t('schedule.hours.to')}</span>
                    <input
                      type="time"
                      value={toInput(r.end)}
                      required
                      data-testid="hours-end"
                      onChange={(e) =>
                        update(day, (l) =>
                          l.map((x, j) => (j === i ? { ...x, end: fromInput(e.target.value) } : x)),
                        )
                      }
                    />
                  </label>
                  <button
                    type="button"
                    className="button button-ghost hours-remove"
                    aria-label={t('schedule.hours.remove', { day: dayName(day), from: r.start, to: r.end })}
                    onClick={() => update(day, (l) => l.filter((_, j) => j !== i))}
                  >
                    ✕
                  </button>
                </div>
              ))}
              <button
                type="button"
                className="button button-secondary hours-add"
                data-testid="hours-add"
                onClick={() =>
                  update(day, (l) => [
                    ...l,
                    l.length ? { start: '14:00', end: '18:00' } : { start: '09:00', end: '17:00' },
                  ])
                }
              >
                + {t('schedule.hours.add')}
              </button>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="button button-ghost"
        onClick={() => {
          setSaved(false);
          setWeek((w) => ({
            ...w,
            ...Object.fromEntries([2, 3, 4, 5].map((d) => [d, (w[1] ?? []).map((r) => ({ ...r }))])),
          }));
        }}
      >
        {t('schedule.hours.copyWeekdays')}
      </button>
      {invalid && (
        <p className="form-error" role="alert" id={`${id}-invalid`}>
          {t('schedule.hours.invalid')}
        </p>
      )}
      {save.error && (
        <p className="form-error" role="alert">
          {t(problemKey(save.error))}
        </p>
      )}
      {saved && !save.isPending && (
        <p className="form-success" role="status" data-testid="hours-saved">
          {t('schedule.hours.saved')}
        </p>
      )}
      <button
        type="submit"
        className="button button-primary button-block"
        data-testid="hours-save"
        disabled={save.isPending}
      >
        {save.isPending && <Spinner small />}
        {save.isPending ? t('schedule.hours.saving') : t('schedule.hours.save')}
      </button>
      {initial.set && (
        <button
          type="button"
          className="button button-ghost button-block"
          data-testid="hours-clear"
          disabled={save.isPending}
          onClick={() => save.mutate({ ranges: [], clear: true })}
        >
          {t('schedule.hours.clear')}
        </button>
      )}
    </form>
  );
}

function TimeOffEditor() {
  const { t, formatDateTime } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const list = trpc.technician.timeOff.useQuery(undefined, { staleTime: 30_000 });
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState(false);
  const done = (data: Awaited<ReturnType<typeof utils.technician.timeOff.fetch>>) =>
    utils.technician.timeOff.setData(undefined, data);
  const add = trpc.technician.addTimeOff.useMutation({
    onSuccess: (data) => {
      done(data);
      setFrom('');
      setTo('');
      setReason('');
    },
  });
  const remove = trpc.technician.removeTimeOff.useMutation({ onSuccess: done });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const a = from ? new Date(from) : null;
    const b = to ? new Date(to) : null;
    const bad = !a || !b || Number.isNaN(a.getTime()) || Number.isNaN(b.getTime()) || b <= a;
    setInvalid(bad);
    if (bad || !a || !b) return;
    add.mutate({ startsAt: a.toISOString(), endsAt: b.toISOString(), reason: reason.trim() || undefined });
  };

  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="time-off">
      <h2 id={`${id}-h`}>{t('schedule.off.heading')}</h2>
      {list.data?.length ? (
        <ul className="time-off-list">
          {list.data.map((o) => (
            <li key={o.id} className="time-off-item" data-testid="time-off-item">
              <span>
                {formatDateTime(o.startsAt)} – {formatDateTime(o.endsAt)}
                {o.reason && <span className="muted small"> · {o.reason}</span>}
              </span>
              <button
                type="button"
                className="button button-ghost hours-remove"
                aria-label={t('schedule.off.remove', {
                  from: formatDateTime(o.startsAt),
                  to: formatDateTime(o.endsAt),
                })}
                disabled={remove.isPending}
                onClick={() => remove.mutate({ id: o.id })}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      ) : (
        list.data && <p className="muted small">{t('schedule.off.none')}</p>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('schedule.off.from')}</label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            value={from}
            min={toLocalInput(new Date())}
            data-testid="time-off-from"
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('schedule.off.to')}</label>
          <input
            id={`${id}-to`}
            type="datetime-local"
            value={to}
            min={from || toLocalInput(new Date())}
            data-testid="time-off-to"
            onChange={(e) => setTo(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t('schedule.off.reason')}</label>
          <input
            id={`${id}-reason`}
            type="text"
            maxLength={200}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        {invalid && (
          <p className="form-error" role="alert">
            {t('schedule.off.invalid')}
          </p>
        )}
        {(add.error ?? remove.error) && (
          <p className="form-error" role="alert">
            {t(problemKey(add.error ?? remove.error))}
          </p>
        )}
        <button
          type="submit"
          className="button button-secondary button-block"
          data-testid="time-off-add"
          disabled={add.isPending}
        >
          {add.isPending && <Spinner small />}
          {t('schedule.off.add')}
        </button>
      </form>
    </section>
  );
}
