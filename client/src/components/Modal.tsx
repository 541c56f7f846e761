import { type ReactNode, useEffect, useRef } from 'react';

/** A ref for a native <dialog>, shown as a modal (focus trap, Escape, inert page) while `open`. */
export function useModal(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    else if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}

/**
 * A native modal <dialog> (focus trap, Escape, inert page behind it) shown while `open`. Escape is held
 * back while `pending`: closing while the request is in flight would hide its outcome.
 */
export function Modal({
  open,
  pending,
  onClose,
  labelledBy,
  describedBy,
  testId,
  children,
}: {
  open: boolean;
  pending: boolean;
  onClose: () => void;
  labelledBy: string;
  describedBy?: string;
  testId?: string;
  children: ReactNode;
}) {
  const ref = useModal(open);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      data-testid={testId}
      onClose={onClose}
      onCancel={(event) => {
        if (pending) event.preventDefault();
      }}
    >
      {open && children}
    </dialog>
  );
}
