import type { FormEvent } from 'react';
import { signInInput } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import type { MessageKey } from '../../i18n/en';
import { useT } from '../../i18n/I18nProvider';
import { authPath } from '../../lib/returnTo';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { AuthForm, EmailField, useAuthForm } from './authForm';
import { PasswordField } from './PasswordField';

const FIELD_MESSAGES = {
  email: 'validation.email',
  password: 'validation.required',
} satisfies Record<string, MessageKey>;

export function SignInScreen() {
  const t = useT();
  const { form, next, done, error } = useAuthForm(FIELD_MESSAGES);
  const signIn = trpc.auth.signIn.useMutation(done);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const parsed = signInInput.safeParse({ email: data.get('email'), password: data.get('password') });
    const input = form.validated(parsed);
    if (input) signIn.mutate(input);
  };

  const pending = signIn.isPending;

  return (
    <Screen heading={t('signIn.title')}>
      <AuthForm form={form} testId="sign-in-form" onSubmit={submit}>
        <EmailField error={error('email')} />
        <PasswordField autoComplete="current-password" error={error('password')} />
        <button type="submit" className="button button-primary button-block" disabled={pending}>
          {pending ? t('signIn.pending') : t('signIn.submit')}
        </button>
      </AuthForm>
      <p className="form-switch">
        {t('signIn.noAccount')} <Link href={authPath('/sign-up', next)}>{t('signIn.toSignUp')}</Link>
      </p>
    </Screen>
  );
}
