import { useId } from 'react';
import { useT } from '../i18n/I18nProvider';
import { Modal } from './Modal';

type ConfirmDialogProps = {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  pendingLabel: string;
  pending: boolean;
  /** A translated message for a failed attempt. */
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
  testId?: string;
};

/** A yes/no question in a native modal <dialog> (focus trap, Escape, inert page behind it). */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  pendingLabel,
  pending,
  error,
  onConfirm,
  onClose,
  testId,
}: ConfirmDialogProps) {
  const t = useT();
  const id = useId();

  return (
    <Modal
      open={open}
      pending={pending}
      onClose={onClose}
      labelledBy={`${id}-title`}
      describedBy={`${id}-body`}
      testId={testId}
    >
      <div className="form">
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-body`}>{body}</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button
            type="button"
            className="button button-ghost"
            data-testid="confirm-dialog-no"
            onClick={onClose}
            disabled={pending}
          >
            {t('dialog.back')}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={pending}
            data-testid="confirm-dialog-yes"
            onClick={onConfirm}
          >
            {pending ? pendingLabel : confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}
