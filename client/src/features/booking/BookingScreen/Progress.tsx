import './bookingScreen.css';
import { PROGRESS_STEPS } from '#shared/booking';
import type { Booking } from '../../../../../server/contracts/booking';
import { useI18n } from '../../../i18n/I18nProvider';

const STEP_TIME: Record<(typeof PROGRESS_STEPS)[number], keyof Booking> = {
  assigned: 'assignedAt',
  en_route: 'enRouteAt',
  arrived: 'arrivedAt',
  in_progress: 'startedAt',
  completed: 'completedAt',
};

export function Progress({ booking }: { booking: Booking }) {
  const { t, formatTime } = useI18n();
  const current = PROGRESS_STEPS.indexOf(booking.status as (typeof PROGRESS_STEPS)[number]);
  return (
    <ol className="progress" aria-label={t('booking.progress')}>
      {PROGRESS_STEPS.map((step, index) => {
        const at = booking[STEP_TIME[step]];
        const state = index < current ? 'done' : index === current ? 'current' : 'todo';
        return (
          <li
            key={step}
            className={`progress-step progress-${state}`}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            <span className="progress-dot" aria-hidden="true" />
            <span className="progress-label">{t(`status.${step}`)}</span>
            {typeof at === 'string' && <span className="progress-time">{formatTime(at)}</span>}
          </li>
        );
      })}
    </ol>
  );
}
