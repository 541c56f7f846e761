import { useState } from 'react';
import { TextField } from '../../components/TextField';
import { useT } from '../../i18n/I18nProvider';

type PasswordFieldProps = {
  autoComplete: 'current-password' | 'new-password';
  hint?: string;
  error?: string;
};

/** Typing a password on a phone keyboard is error-prone, so it can be revealed. */
export function PasswordField({ autoComplete, hint, error }: PasswordFieldProps) {
  const t = useT();
  const [visible, setVisible] = useState(false);
  return (
    <TextField
      name="password"
      label={t('field.password')}
      type={visible ? 'text' : 'password'}
      autoComplete={autoComplete}
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      dir="ltr"
      required
      minLength={autoComplete === 'new-password' ? 8 : undefined}
      hint={hint}
      error={error}
      addon={
        <button
          type="button"
          className="button button-ghost field-addon"
          aria-pressed={visible}
          onClick={() => setVisible((shown) => !shown)}
        >
          <EyeIcon crossed={visible} />
          <span className="visually-hidden">{t('field.showPassword')}</span>
        </button>
      }
    />
  );
}

/** An open eye while hidden ("show it"), a crossed-out eye while shown. */
function EyeIcon({ crossed }: { crossed: boolean }) {
  return (
    <svg
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
      <circle cx="12" cy="12" r="3" />
      {crossed && <path d="M4 4l16 16" />}
    </svg>
  );
}
