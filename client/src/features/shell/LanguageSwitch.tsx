import { useI18n } from '../../i18n/I18nProvider';
import { LANGUAGE_NAMES, otherLocale } from '../../i18n/locale';
import { trpc } from '../../lib/trpc';
import { useSession } from '../session/SessionProvider';

/** One tap switches between the two languages; the button shows the language it switches to. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  const session = useSession();
  const utils = trpc.useUtils();
  const updateMe = trpc.auth.updateMe.useMutation({
    onSuccess: (user) => utils.auth.me.setData(undefined, user),
  });
  const next = otherLocale(locale);

  const switchLanguage = () => {
    setLocale(next);
    // Saved on the account too, so the choice follows the user to other devices. If that fails (offline)
    // the choice still holds on this device.
    if (session.status === 'signed-in' && session.confirmed) updateMe.mutate({ locale: next });
  };

  return (
    <button
      type="button"
      className="button button-ghost lang-switch"
      data-testid="lang-switch"
      onClick={switchLanguage}
    >
      <span className="visually-hidden">{t('lang.label')}: </span>
      <span lang={next}>{LANGUAGE_NAMES[next]}</span>
    </button>
  );
}
