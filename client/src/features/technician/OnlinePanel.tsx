import './technician.css';
import { useEffect, useState } from 'react';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { currentPosition, type GeoProblem, toGeoProblem } from '../../lib/geolocation';
import { trpc } from '../../lib/trpc';
import { useSocketOpen } from '../connection/useConnectionState';
import { isPhoneUnverified, PhoneNeeded } from '../notifications/PhoneNeeded';
import { SharingStatus } from './SharingStatus';
import type { SharingState } from './useLocationSharing';

/**
 * A dropped socket usually comes back within a second or two (a network switch, a server deploy): only a
 * longer silence is worth telling the technician about.
 */
export const AWAY_AFTER_MS = 2_000;

/** True once `down` has held for `ms`; false again as soon as it stops. */
function useHeldFor(down: boolean, ms: number): boolean {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (!down) {
      setHeld(false);
      return;
    }
    const timer = setTimeout(() => setHeld(true), ms);
    return () => clearTimeout(timer);
  }, [down, ms]);
  return down && held;
}

type OnlinePanelProps = {
  profile: TechnicianProfile;
  sharing: SharingState;
  /** The technician stopped sharing while staying online. */
  sharingStopped: boolean;
  onStopSharing: () => void;
  onResumeSharing: () => void;
};

/** The online/offline switch. Going online needs a fresh, accurate position; while online we keep sharing it. */
export function OnlinePanel({
  profile,
  sharing,
  sharingStopped,
  onStopSharing,
  onResumeSharing,
}: OnlinePanelProps) {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const [locating, setLocating] = useState(false);
  const [geoProblem, setGeoProblem] = useState<GeoProblem | null>(null);
  const setOnline = trpc.technician.setOnline.useMutation({
    onSuccess: (updated) => utils.technician.me.setData(undefined, updated),
  });

  const online = profile.online;
  const verified = profile.verification === 'verified';
  const pending = locating || setOnline.isPending;
  const goingOnline = pending && !online;
  // The server counts an online technician as available only while it hears from them (their socket, or
  // a recent fix). Without the socket no offer can reach this phone either: say "away", not "online".
  const connected = useSocketOpen();
  const away = useHeldFor(online && !connected, AWAY_AFTER_MS);

  const toggle = async () => {
    setGeoProblem(null);
    setOnline.reset();
    if (online) {
      setOnline.mutate({ online: false });
      return;
    }
    setLocating(true);
    try {
      const position = await currentPosition({ enableHighAccuracy: true, maximumAge: 0 });
      setOnline.mutate({ online: true, lat: position.coords.latitude, lng: position.coords.longitude });
    } catch (error) {
      setGeoProblem(toGeoProblem(error));
    } finally {
      setLocating(false);
    }
  };

  const stateText = pending
    ? goingOnline
      ? locating
        ? t('technician.online.locating')
        : t('technician.online.going')
      : t('technician.online.leaving')
    : away
      ? t('technician.online.away')
      : online
        ? t('technician.online.on')
        : t('technician.online.off');

  return (
    <section className="card card-feature" aria-labelledby="online-title">
      <h2 id="online-title">{t('technician.online.title')}</h2>
      <div className="online-row">
        <p
          className="online-state"
          data-testid="online-state"
          data-online={String(online)}
          data-away={String(away)}
          role="status"
        >
          {pending ? (
            <Spinner small />
          ) : (
            <span className="online-dot" data-online={away ? 'away' : String(online)} aria-hidden="true" />
          )}
          {stateText}
        </p>
        <button
          type="button"
          className="switch"
          data-testid="online-toggle"
          aria-pressed={online}
          disabled={pending || (!verified && !online)}
          aria-describedby={!verified ? 'verification-body' : online ? 'sharing-text' : 'online-hint'}
          onClick={() => void toggle()}
        >
          <span className="switch-track" aria-hidden="true">
            <span className="switch-knob" />
          </span>
          <span className="switch-label">{t('technician.online.toggle')}</span>
        </button>
      </div>
      {away && !pending && (
        <p className="tracking-paused" data-testid="online-away">
          <span className="tracking-paused-icon" aria-hidden="true">
            !
          </span>
          {t('technician.online.awayBody')}
        </p>
      )}
      {!online && (
        <p id="online-hint" className="muted small">
          {verified ? t('technician.online.body') : t('technician.online.needsVerification')}
        </p>
      )}
      {geoProblem && (
        <p className="form-error" role="alert">
          {t(`geo.${geoProblem}`)}
        </p>
      )}
      <SharingStatus
        online={online}
        state={sharing}
        stopped={sharingStopped}
        onStop={onStopSharing}
        onResume={onResumeSharing}
      />
      {setOnline.error &&
        (isPhoneUnverified(setOnline.error) ? (
          <PhoneNeeded reason="online" />
        ) : (
          <p className="form-error" role="alert">
            {t(problemKey(setOnline.error, { VALIDATION: 'technician.online.badPosition' }))}
          </p>
        ))}
    </section>
  );
}
