import './technician.css';
import { useI18n } from '../../i18n/I18nProvider';
import type { SharingState } from './useLocationSharing';

type SharingStatusProps = {
  online: boolean;
  state: SharingState;
  stopped: boolean;
  onStop: () => void;
  onResume: () => void;
};

/** Whether the technician's location is being shared right now, how precise it is, and a way to stop. */
export function SharingStatus({ online, state, stopped, onStop, onResume }: SharingStatusProps) {
  const { t, formatTime, formatNumber } = useI18n();
  const sharing = online && state.sharing;
  const rejection = sharing ? state.rejection : null;
  // 'narrow': Arabic's short and long forms of 1 and 2 metres drop the numeral ('متر', 'متران').
  const meters = (value: number) =>
    formatNumber(Math.max(1, Math.round(value)), { style: 'unit', unit: 'meter', unitDisplay: 'narrow' });

  return (
    <div className="sharing" data-testid="sharing-indicator" data-sharing={String(sharing)}>
      <p className="sharing-line" id="sharing-text">
        <span
          className="sharing-dot"
          data-state={sharing ? (state.paused || rejection ? 'paused' : 'on') : 'off'}
          aria-hidden="true"
        />
        <span>
          <strong>{sharing ? t('sharing.on') : t('sharing.off')}</strong>
          {sharing && (
            <span className="muted small sharing-facts">
              {state.accuracy === null ? (
                <span>{t('sharing.locating')}</span>
              ) : (
                <span data-testid="sharing-accuracy">
                  {t('sharing.accuracy', { distance: meters(state.accuracy) })}
                </span>
              )}
              {/* Sent, but refused: "last sent at …" would say all is well when the customer sees nothing. */}
              {rejection ? (
                <span data-testid="sharing-rejected">{t('sharing.rejected')}</span>
              ) : (
                state.lastSentAt !== null && (
                  <span data-testid="sharing-last-sent">
                    {t('sharing.lastSent', { time: formatTime(state.lastSentAt) })}
                  </span>
                )
              )}
            </span>
          )}
        </span>
      </p>
      {online && !sharing && (
        <p className="muted small">{stopped ? t('sharing.offHint') : t('sharing.offlineHint')}</p>
      )}
      {sharing && state.wakeLock && <p className="muted small">{t('sharing.wakeLock')}</p>}
      {state.queued > 0 && (
        <p className="small" role="status" data-testid="sharing-queued" data-count={state.queued}>
          {t('sharing.queued', { count: formatNumber(state.queued) })}
        </p>
      )}
      {sharing && state.sendFailed && state.queued === 0 && (
        <p className="field-error" role="status">
          {t('sharing.sendFailed')}
        </p>
      )}
      {rejection && (
        <p className="form-error" role="alert" data-testid="sharing-rejected-reason" data-reason={rejection}>
          {t(`sharing.rejected.${rejection}`)}
        </p>
      )}
      {sharing && state.problem && (
        <p className="form-error" role="alert">
          {t(`geo.${state.problem}`)}
        </p>
      )}
      {online &&
        (sharing ? (
          <button
            type="button"
            className="button button-secondary"
            data-testid="stop-sharing"
            onClick={onStop}
          >
            {t('sharing.stop')}
          </button>
        ) : (
          stopped && (
            <button
              type="button"
              className="button button-primary"
              data-testid="resume-sharing"
              onClick={onResume}
            >
              {t('sharing.resume')}
            </button>
          )
        ))}
    </div>
  );
}

/**
 * The warning that matters most during a job: the customer is not seeing where the technician is. Shown
 * at the top of the screen, where it can't be missed.
 */
export function TrackingPausedBanner({ state }: { state: SharingState }) {
  const { t, formatMinutes } = useI18n();
  const message =
    state.sharing && state.paused
      ? t(`sharing.paused.${state.paused}`)
      : state.sharing && state.pausedForMs !== null
        ? t('sharing.paused.was', { duration: formatMinutes(state.pausedForMs / 60_000) })
        : null;
  // The live region stays mounted so screen readers announce the warning when it appears.
  return (
    <div role="alert" className="tracking-paused-region">
      {message && (
        <p className="tracking-paused" data-testid="tracking-paused" data-reason={state.paused ?? 'was'}>
          <span className="tracking-paused-icon" aria-hidden="true">
            !
          </span>
          {message}
        </p>
      )}
    </div>
  );
}
