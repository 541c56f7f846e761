import { afterEach, describe, expect, it, vi } from 'vitest';
import { releasePushOnSignOut } from './push';

/** A browser with a service worker registration and (maybe) a push subscription. */
function fakeBrowser(endpoint: string | null) {
  const log: string[] = [];
  const sub = endpoint
    ? {
        endpoint,
        unsubscribe: vi.fn(async () => {
          log.push('browser unsubscribed');
          return true;
        }),
      }
    : null;
  const reg = { pushManager: { getSubscription: async () => sub } };
  vi.stubGlobal('navigator', { ...navigator, serviceWorker: { getRegistration: async () => reg } });
  vi.stubGlobal('PushManager', class {});
  vi.stubGlobal('Notification', { permission: 'granted' });
  return { log, sub };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('sign-out releases this device’s push subscription', () => {
  it('tells the server first (while signed in), then ends the browser subscription', async () => {
    const { log, sub } = fakeBrowser('https://fcm.googleapis.com/fcm/send/abc');
    const forgotten: string[] = [];
    const endpoint = await releasePushOnSignOut(async (e) => {
      forgotten.push(e);
      log.push('server forgot');
    });
    expect(endpoint).toBe('https://fcm.googleapis.com/fcm/send/abc');
    expect(forgotten).toEqual(['https://fcm.googleapis.com/fcm/send/abc']);
    expect(log).toEqual(['server forgot', 'browser unsubscribed']);
    expect(sub!.unsubscribe).toHaveBeenCalledOnce();
  });

  it('a server that fails or hangs does not keep the user signed in; the browser subscription still ends', async () => {
    const failing = fakeBrowser('https://push.example/1');
    expect(
      await releasePushOnSignOut(async () => {
        throw new Error('offline');
      }),
    ).toBe('https://push.example/1');
    expect(failing.sub!.unsubscribe).toHaveBeenCalledOnce();

    vi.useFakeTimers();
    const hanging = fakeBrowser('https://push.example/2');
    const done = releasePushOnSignOut(() => new Promise(() => {}), 3_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await done).toBe('https://push.example/2');
    expect(hanging.sub!.unsubscribe).toHaveBeenCalledOnce();
  });

  it('nothing to do without a subscription', async () => {
    fakeBrowser(null);
    const forget = vi.fn(async () => {});
    expect(await releasePushOnSignOut(forget)).toBeNull();
    expect(forget).not.toHaveBeenCalled();
  });
});
