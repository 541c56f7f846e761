import { type FormEvent, useId } from 'react';
import { signUpInput } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/I18nProvider';
import { isLocale, LANGUAGE_NAMES } from '../../i18n/locale';
import { authPath } from '../../lib/returnTo';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { AuthForm, EmailField, useAuthForm } from './authForm';
import { PasswordField } from './PasswordField';

const FIELD_MESSAGES = {
  name: 'validation.name',
  email: 'validation.email',
  password: 'validation.passwordLength',
  phone: 'validation.phone',
  role: 'validation.role',
} satisfies Record<string, MessageKey>;

const ROLES = ['customer', 'technician'] as const;

/** People type numbers with spaces, dashes and brackets; the API wants bare E.164 (+2348012345678). */
function normalizePhone(value: string): string | undefined {
  const compact = value.replace(/[\s().-]/g, '');
  return compact === '' ? undefined : compact;
}

export function SignUpScreen() {
  const { t, locale, setLocale } = useI18n();
  const { form, next, done, error } = useAuthForm(FIELD_MESSAGES);
  const signUp = trpc.auth.signUp.useMutation(done);
  const localeId = useId();
  const roleId = useId();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    // Validate with the server's own schema first: instant feedback without a round trip on a slow network.
    const parsed = signUpInput.safeParse({
      name: data.get('name'),
      email: data.get('email'),
      password: data.get('password'),
      role: data.get('role'),
      phone: normalizePhone(String(data.get('phone') ?? '')),
      locale,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    const input = form.validated(parsed);
    if (input) signUp.mutate(input);
  };

  const pending = signUp.isPending;

  return (
    <Screen heading={t('signUp.title')}>
      <AuthForm form={form} testId="sign-up-form" onSubmit={submit}>
        <TextField name="name" label={t('field.name')} autoComplete="name" required error={error('name')} />
        <EmailField error={error('email')} />
        <PasswordField autoComplete="new-password" hint={t('field.passwordHint')} error={error('password')} />
        <TextField
          name="phone"
          label={t('field.phone')}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          dir="ltr"
          hint={t('field.phoneHint')}
          error={error('phone')}
        />
        <fieldset className="field choices" aria-describedby={error('role') ? `${roleId}-error` : undefined}>
          <legend>{t('field.role')}</legend>
          {ROLES.map((role) => (
            <div className="choice" key={role}>
              <input
                type="radio"
                id={`${roleId}-${role}`}
                name="role"
                value={role}
                defaultChecked={role === 'customer'}
                aria-describedby={`${roleId}-${role}-hint`}
              />
              <label htmlFor={`${roleId}-${role}`}>
                <span className="choice-label">{t(`field.role.${role}`)}</span>
                <span className="choice-hint" id={`${roleId}-${role}-hint`}>
                  {t(`field.role.${role}Hint`)}
                </span>
              </label>
            </div>
          ))}
          {error('role') && (
            <p className="field-error" id={`${roleId}-error`}>
              {error('role')}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor={localeId}>{t('field.locale')}</label>
          <select
            id={localeId}
            name="locale"
            value={locale}
            onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value)}
          >
            {(['en', 'ar'] as const).map((option) => (
              <option key={option} value={option} lang={option}>
                {LANGUAGE_NAMES[option]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-primary button-block" disabled={pending}>
          {pending ? t('signUp.pending') : t('signUp.submit')}
        </button>
      </AuthForm>
      <p className="form-switch">
        {t('signUp.haveAccount')} <Link href={authPath('/sign-in', next)}>{t('signUp.toSignIn')}</Link>
      </p>
    </Screen>
  );
}
