import type { FormEvent } from 'react';
import { signInInput } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import type { MessageKey } from '../../i18n/en';
import { useT } from '../../i18n/I18nProvider';
import { authPath } from '../../lib/returnTo';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { EmailField, useAuthForm } from './authForm';
import { FormAlert } from './FormAlert';
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
      <form
        ref={form.formRef}
        className="form"
        data-testid="sign-in-form"
        noValidate
        onSubmit={submit}
        onChange={form.onChange}
      >
        <FormAlert message={form.errors.general && t(form.errors.general)} />
        <EmailField error={error('email')} />
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
