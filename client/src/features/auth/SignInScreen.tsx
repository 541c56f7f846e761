import type { FormEvent } from 'react';
import { signInInput } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import type { MessageKey } from '../../i18n/en';
import { useT } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { authPath, safeReturnPath } from '../../lib/returnTo';
import { Link, navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useChangeSession } from '../session/SessionProvider';
import { FormAlert } from './FormAlert';
import { PasswordField } from './PasswordField';
import { useFormErrors } from './useFormErrors';

const FIELD_MESSAGES = {
  email: 'validation.email',
  password: 'validation.required',
} satisfies Record<string, MessageKey>;

export function SignInScreen() {
  const t = useT();
  const changeSession = useChangeSession();
  const form = useFormErrors(FIELD_MESSAGES);
  // Back to where they were going (the booking form with their chosen technician), same-origin only.
  const next = safeReturnPath(useSearchParams().get('next'));
  const signIn = trpc.auth.signIn.useMutation({
    onSuccess: ({ user }) => {
      changeSession(user);
      navigate(next ?? '/home', { replace: true });
    },
    onError: (error) => form.showProblem(toApiProblem(error)),
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const parsed = signInInput.safeParse({ email: data.get('email'), password: data.get('password') });
    const input = form.validated(parsed);
    if (input) signIn.mutate(input);
  };

  const error = (field: keyof typeof FIELD_MESSAGES) => {
    const key = form.errors.fields[field];
    return key && t(key);
  };
  const pending = signIn.isPending;

  return (
    <Screen heading={t('signIn.title')}>
      <form
        ref={form.formRef}
        className="form"
        data-testid="sign-in-form"
        noValidate
        onSubmit={submit}
        onChange={form.onChange}
      >
        <FormAlert message={form.errors.general && t(form.errors.general)} />
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
          error={error('email')}
        />
        <PasswordField autoComplete="current-password" error={error('password')} />
        <button type="submit" className="button button-primary button-block" disabled={pending}>
          {pending ? t('signIn.pending') : t('signIn.submit')}
        </button>
      </form>
      <p className="form-switch">
        {t('signIn.noAccount')} <Link href={authPath('/sign-up', next)}>{t('signIn.toSignUp')}</Link>
      </p>
    </Screen>
  );
}
