import { useState } from 'react';
import { NOTIFICATION_KINDS_FOR } from '#shared/notifications';
import type { ExternalChannel } from '../../../../server/contracts/notification';
import { useT } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';
import { useSession } from '../session/SessionProvider';
import { PushToggle } from './PushToggle';
import './notifications.css';

const CHANNELS: ExternalChannel[] = ['push', 'sms', 'email'];

/** Per event and channel: switches over the defaults (the in-app list always gets everything). */
export function PreferencesScreen() {
  const t = useT();
  const session = useSession();
  const role = session.status === 'signed-in' ? session.user.role : 'customer';
  const utils = trpc.useUtils();
  const prefs = trpc.notification.preferences.useQuery();
  const [saved, setSaved] = useState(false);
  const save = trpc.notification.setPreferences.useMutation({
    onSuccess: (data) => {
      utils.notification.preferences.setData(undefined, data);
      setSaved(true);
    },
  });
  const kinds = NOTIFICATION_KINDS_FOR[role === 'technician' ? 'technician' : 'customer'];

  return (
    <main className="screen" data-testid="notification-settings">
      <h1>{t('notifications.prefs.title')}</h1>
      <p className="muted">{t('notifications.prefs.intro')}</p>
      <section className="card">
        <PushToggle />
      </section>
      {prefs.data && (
        <table className="prefs-table">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t('notifications.title')}</span>
              </th>
              {CHANNELS.map((c) => (
                <th key={c} scope="col" className="prefs-check">
                  {t(`notifications.channel.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {prefs.data.items
              .filter((i) => kinds.includes(i.kind))
              .map((item) => (
                <tr key={item.kind}>
                  <th scope="row">{t(`notifications.kind.${item.kind}`)}</th>
                  {CHANNELS.map((c) => (
                    <td key={c} className="prefs-check">
                      <input
                        type="checkbox"
                        checked={item.channels[c]}
                        aria-label={`${t(`notifications.kind.${item.kind}`)}: ${t(`notifications.channel.${c}`)}`}
                        data-testid={`pref-${item.kind}-${c}`}
                        onChange={(e) => {
                          setSaved(false);
                          save.mutate({
                            items: [{ kind: item.kind, channel: c, enabled: e.target.checked }],
                          });
                        }}
                      />
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      )}
      <p role="status">{saved ? t('notifications.prefs.saved') : ''}</p>
    </main>
  );
}
