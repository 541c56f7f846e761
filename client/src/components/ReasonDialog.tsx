import { type FormEvent, useEffect, useId, useState } from 'react';
import { useT } from '../i18n/I18nProvider';
import { Modal } from './Modal';

type ReasonDialogProps = {
  open: boolean;
  title: string;
  body?: string;
  label: string;
  confirmLabel: string;
  pendingLabel: string;
  pending: boolean;
  /** A translated message for a failed attempt. */
  error?: string | null;
  onConfirm: (reason: string) => void;
  onClose: () => void;
  testId?: string;
  maxLength?: number;
};

/**
 * A modal asking for a required reason (cancel a booking, report a problem). The native <dialog> gives
 * focus trapping, Escape to close and an inert page behind it for free.
 */
export function ReasonDialog({
  open,
  title,
  body,
  label,
  confirmLabel,
  pendingLabel,
  pending,
  error,
  onConfirm,
  onClose,
  testId,
  maxLength = 500,
}: ReasonDialogProps) {
  const t = useT();
  const id = useId();
  const [missing, setMissing] = useState(false);

  // Each opening starts without the "reason needed" message.
  useEffect(() => {
    if (open) setMissing(false);
  }, [open]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    if (!reason) {
      setMissing(true);
      event.currentTarget.querySelector('textarea')?.focus();
      return;
    }
    onConfirm(reason);
  };

  return (
    <Modal open={open} pending={pending} onClose={onClose} labelledBy={`${id}-title`} testId={testId}>
      <form className="form" noValidate onSubmit={submit}>
        <h2 id={`${id}-title`}>{title}</h2>
        {body && <p className="muted">{body}</p>}
        <div className="field">
          <label htmlFor={`${id}-reason`}>{label}</label>
          <textarea
            id={`${id}-reason`}
            name="reason"
            rows={3}
            maxLength={maxLength}
            required
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? `${id}-error` : undefined}
            onChange={() => setMissing(false)}
          />
          {missing && (
            <p className="field-error" id={`${id}-error`}>
              {t('validation.reason')}
            </p>
          )}
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button button-ghost" onClick={onClose} disabled={pending}>
            {t('dialog.back')}
          </button>
          <button
            type="submit"
            className="button button-danger"
            disabled={pending}
            data-testid="confirm-reason"
          >
            {pending ? pendingLabel : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
