// The browser's offer to install the app (Chromium's `beforeinstallprompt`), kept from the moment it fires
// (often before React has mounted) until the user takes it up or the app is installed.
import { useSyncExternalStore } from 'react';

export type InstallPromptEvent = Event & {
  prompt: () => Promise<unknown>;
  userChoice?: Promise<{ outcome: 'accepted' | 'dismissed' }>;
};

let deferred: InstallPromptEvent | null = null;
const listeners = new Set<() => void>();

function set(value: InstallPromptEvent | null) {
  deferred = value;
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') {
  window.addEventListener('beforeinstallprompt', (event) => {
    // Keep the mini-infobar away: the app offers installation itself, where it fits.
    event.preventDefault();
    set(event as InstallPromptEvent);
  });
  window.addEventListener('appinstalled', () => set(null));
}

/** The pending install offer, or null when there is none (not installable, already installed, iOS…). */
export function useInstallPrompt(): InstallPromptEvent | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => deferred,
  );
}

/** Shows the browser's install dialog; an offer can be used once. */
export async function promptInstall(): Promise<void> {
  const event = deferred;
  if (!event) return;
  set(null);
  try {
    await event.prompt();
    await event.userChoice;
  } catch {
    // The browser refused to show it (e.g. already shown): nothing to do.
  }
}

/** iOS Safari never fires beforeinstallprompt: installing is "Share → Add to Home Screen", by hand. */
export function isIosBrowserTab(): boolean {
  if (typeof navigator === 'undefined') return false;
  const nav = navigator as Navigator & { standalone?: boolean };
  const ios =
    /iPad|iPhone|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1);
  return ios && nav.standalone === false;
}
