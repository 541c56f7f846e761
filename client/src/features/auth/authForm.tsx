import type { FormEvent, ReactNode } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import { TextField } from '../../components/TextField';
import type { MessageKey } from '../../i18n/en';
import { useT } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { safeReturnPath } from '../../lib/returnTo';
import { navigate, useSearchParams } from '../../lib/router';
import { useChangeSession } from '../session/SessionProvider';
import { FormAlert } from './FormAlert';
import { useFormErrors } from './useFormErrors';

/**
 * What signing in and signing up share: the form's errors, each field's message (`error`), where to go
 * after (`next`: back to where they were going, e.g. the booking form with their chosen technician,
 * same-origin only) and the mutation's callbacks (`done`: into the session and on, or the problem shown).
 */
export function useAuthForm<F extends string>(fieldMessages: Record<F, MessageKey>) {
  const t = useT();
  const changeSession = useChangeSession();
  const form = useFormErrors(fieldMessages);
  const next = safeReturnPath(useSearchParams().get('next'));
  const done = {
    onSuccess: ({ user }: { user: PublicUser }) => {
      changeSession(user);
      navigate(next ?? '/home', { replace: true });
    },
    onError: (error: unknown) => form.showProblem(toApiProblem(error)),
  };
  const error = (field: F) => {
    const key = form.errors.fields[field];
    return key && t(key);
  };
  return { form, next, done, error };
}

/** The email address field of the sign-in and sign-up forms. */
export function EmailField({ error }: { error: string | undefined }) {
  const t = useT();
  return (
    <TextField
      name="email"
      label={t('field.email')}
      type="email"
      inputMode="email"
      autoComplete="email"
      autoCapitalize="none"
      spellCheck={false}
      dir="ltr"
      required
      error={error}
    />
  );
}

/** The sign-in or sign-up form: validated here (noValidate), the overall problem in its alert first. */
export function AuthForm({
  form,
  testId,
  onSubmit,
  children,
}: {
  form: Pick<ReturnType<typeof useFormErrors>, 'formRef' | 'onChange'> & {
    errors: { general: MessageKey | null };
  };
  testId: string;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <form
      ref={form.formRef}
      className="form"
      data-testid={testId}
      noValidate
      onSubmit={onSubmit}
      onChange={form.onChange}
    >
      <FormAlert message={form.errors.general && t(form.errors.general)} />
      {children}
    </form>
  );
}
