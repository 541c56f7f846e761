import { useEffect, useState } from 'react';
import { useT } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';
import { type PushState, pushState, subscribePush, unsubscribePush } from './push';

/** Turns Web Push on or off for this device (the browser asks for permission on the tap). */
export function PushToggle() {
  const t = useT();
  const [state, setState] = useState<PushState | null>(null);
  const [failed, setFailed] = useState(false);
  const utils = trpc.useUtils();
  const subscribe = trpc.notification.pushSubscribe.useMutation();
  const unsubscribe = trpc.notification.pushUnsubscribe.useMutation();

  useEffect(() => {
    void pushState().then(setState);
  }, []);

  if (state === null) return null;
  if (state === 'unsupported') return <p className="muted">{t('notifications.push.unsupported')}</p>;
  if (state === 'denied') return <p className="muted">{t('notifications.push.denied')}</p>;

  const turnOn = async () => {
    setFailed(false);
    try {
      const { key } = await utils.notification.vapidPublicKey.fetch();
      const sub = await subscribePush(key);
      if (sub === 'denied') return setState('denied');
      await subscribe.mutateAsync(sub);
      setState('on');
    } catch {
      setFailed(true);
    }
  };
  const turnOff = async () => {
    const endpoint = await unsubscribePush().catch(() => null);
    if (endpoint) await unsubscribe.mutateAsync({ endpoint }).catch(() => undefined);
    setState('off');
  };

  return (
    <div data-testid="push-toggle" data-state={state}>
      {state === 'on' ? (
        <>
          <p>{t('notifications.push.enabled')}</p>
          <button type="button" className="button button-ghost" onClick={() => void turnOff()}>
            {t('notifications.push.disable')}
          </button>
        </>
      ) : (
        <button type="button" className="button" onClick={() => void turnOn()}>
          {t('notifications.push.enable')}
        </button>
      )}
      {failed && <p role="alert">{t('notifications.push.failed')}</p>}
    </div>
  );
}
