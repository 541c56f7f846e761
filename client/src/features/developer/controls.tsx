// Small controls the developer panels share: a destructive action asked first, and a submit button.
import { useState } from 'react';

/** What useAskFirst needs of a tRPC mutation. */
type Mutation<V> = { isPending: boolean; mutate(variables: V, options?: { onSuccess?: () => void }): void };

/**
 * A list's destructive action asked first (revoke a key, delete an endpoint, remove a member): `ask(item)`
 * opens the ConfirmDialog, whose state props are `dialog`; confirming runs the mutation on that item, and
 * its success closes the dialog (a failure leaves it open with the error).
 */
export function useAskFirst<T, V>(mutation: Mutation<V>, variables: (item: T) => V) {
  const [target, setTarget] = useState<T | null>(null);
  const close = () => setTarget(null);
  return {
    target,
    ask: setTarget,
    dialog: {
      open: target !== null,
      pending: mutation.isPending,
      onConfirm: () => target && mutation.mutate(variables(target), { onSuccess: close }),
      onClose: close,
    },
  };
}

/** The button that asks: its label, and for screen readers the item's name after it. */
export function DangerButton({
  label,
  name,
  onClick,
}: {
  label: string;
  name?: string;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="button button-ghost dev-danger"
      onClick={onClick}
      aria-label={name === undefined ? undefined : `${label} ${name}`}
    >
      {label}
    </button>
  );
}

/** A form's submit button: its label, or while the form's mutation runs, `pendingLabel` (and disabled). */
export function SubmitButton({
  pending,
  label,
  pendingLabel,
  testId,
}: {
  pending: boolean;
  label: string;
  pendingLabel: string;
  testId: string;
}) {
  return (
    <button type="submit" className="button button-primary" disabled={pending} data-testid={testId}>
      {pending ? pendingLabel : label}
    </button>
  );
}
