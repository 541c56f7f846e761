import { useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import { useI18n } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { navigate } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { releasePushOnSignOut } from '../notifications/push';
import { useChangeSession } from '../session/SessionProvider';
import { AccountPhoto } from '../upload/AccountPhoto';

/** Who is signed in, and the way out. Shared by every role's home. */
export function AccountPanel({ user }: { user: PublicUser }) {
  const { t, formatDate } = useI18n();
  const changeSession = useChangeSession();
  const signOut = trpc.auth.signOut.useMutation({
    onSuccess: () => {
      changeSession(null);
      navigate('/sign-in', { replace: true });
    },
  });
  const pushUnsubscribe = trpc.notification.pushUnsubscribe.useMutation();
  const [leaving, setLeaving] = useState(false);
  // This device's pushes end with the session: the next person on this phone must not get them.
  const leave = async () => {
    setLeaving(true);
    try {
      await releasePushOnSignOut((endpoint) => pushUnsubscribe.mutateAsync({ endpoint }));
    } finally {
      setLeaving(false);
      signOut.mutate();
    }
  };
  const busy = leaving || signOut.isPending;

  return (
    <section className="card account" aria-labelledby="account-title">
      <h2 id="account-title" className="visually-hidden">
        {t('home.account')}
      </h2>
      <div className="account-details">
        <p className="account-name">{user.name}</p>
        {user.role === 'customer' && <AccountPhoto name={user.name} />}
        <p className="muted">
          {t(`role.${user.role}`)} · <span dir="ltr">{user.email}</span>
        </p>
        <p className="muted">{t('home.memberSince', { date: formatDate(user.createdAt) })}</p>
      </div>
      <button
        type="button"
        className="button button-secondary"
        data-testid="sign-out"
        disabled={busy}
        onClick={() => void leave()}
      >
        {busy ? t('home.signingOut') : t('home.signOut')}
      </button>
      {signOut.error && (
        <p className="form-error" role="alert">
          {t(`errors.${toApiProblem(signOut.error).code}`)}
        </p>
      )}
    </section>
  );
}
