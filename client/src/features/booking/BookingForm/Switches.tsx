import './bookingForm.css';
import { useId } from 'react';
import { useI18n } from '../../../i18n/I18nProvider';
import { TrustSummary } from '../../reviews/TrustSummary';

/** "It's an emergency": the service's surcharge, or none. */
export function EmergencySwitch({
  checked,
  onChange,
  surchargePct,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The service's `emergencySurchargePct`. */
  surchargePct: number;
}) {
  const { t, formatNumber } = useI18n();
  const id = useId();
  return (
    <div className="switch-field">
      <input
        type="checkbox"
        role="switch"
        aria-checked={checked}
        id={`${id}-emergency`}
        name="emergency"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={`${id}-emergency-hint`}
      />
      <label htmlFor={`${id}-emergency`}>
        <span className="choice-label">{t('book.emergency')}</span>
        <span className="choice-hint" id={`${id}-emergency-hint`}>
          {surchargePct > 0
            ? t('book.emergencyHint', { pct: formatNumber(surchargePct / 100, { style: 'percent' }) })
            : t('book.emergencyNoCharge')}
        </span>
      </label>
    </div>
  );
}

/** The technician the customer chose: offered the job first; the nearest one after them if they agree. */
export function ChosenTechnician({
  technician,
  fallback,
  onFallback,
}: {
  technician: { id: string; name: string };
  fallback: boolean;
  onFallback: (fallback: boolean) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <>
      <div className="switch-field" data-testid="chosen-technician">
        <input
          type="checkbox"
          role="switch"
          aria-checked={fallback}
          id={`${id}-fallback`}
          checked={fallback}
          onChange={(event) => onFallback(event.target.checked)}
          aria-describedby={`${id}-fallback-hint`}
        />
        <label htmlFor={`${id}-fallback`}>
          <span className="choice-label">{t('book.chosen.title', { name: technician.name })}</span>
          <span className="choice-hint" id={`${id}-fallback-hint`}>
            {t('book.chosen.fallback', { name: technician.name })}
          </span>
        </label>
      </div>
      <TrustSummary technicianId={technician.id} name={technician.name} />
    </>
  );
}
