// The first paint is in the user's language: the stored language's direction is applied as soon as the
// provider's module runs, nothing renders until that language's dictionary is in, and the other language
// is fetched only when the user switches to it.
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Provider = typeof import('./I18nProvider');

beforeEach(() => {
  vi.resetModules();
  document.documentElement.lang = 'en';
  document.documentElement.dir = 'ltr';
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => localStorage.clear());

/** Lets the dictionaries' dynamic imports resolve and their state updates run, inside act(). */
async function settle(provider: Provider) {
  await Promise.all([provider.loadMessages('en'), provider.loadMessages('ar')]);
  await new Promise((resolve) => setTimeout(resolve, 0));
}

type Render = { locale: string; dir: string; name: string };
type Api = ReturnType<Provider['useI18n']>;

/** Records each render's language, the document's direction at that moment, and a translated string. */
function Probe({
  provider,
  seen,
  expose,
}: {
  provider: Provider;
  seen: Render[];
  expose: (api: Api) => void;
}) {
  const api = provider.useI18n();
  expose(api);
  seen.push({ locale: api.locale, dir: document.documentElement.dir, name: api.t('app.name') });
  return createElement('p', null, api.t('app.name'));
}

async function mount(provider: Provider) {
  const seen: Render[] = [];
  let api: Api | undefined;
  const expose = (current: Api) => {
    api = current;
  };
  const host = document.createElement('div');
  document.body.append(host);
  const root = createRoot(host);
  await act(async () => {
    root.render(createElement(provider.I18nProvider, null, createElement(Probe, { provider, seen, expose })));
    await settle(provider);
  });
  return { seen, host, root, api: () => api as Api };
}

describe('I18nProvider', () => {
  it('a stored Arabic choice: right-to-left before React renders, and the first render is Arabic', async () => {
    localStorage.setItem('fundi.locale', 'ar');
    const provider = await import('./I18nProvider');
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    const { seen, host, root } = await mount(provider);
    expect(seen[0]).toEqual({ locale: 'ar', dir: 'rtl', name: 'فوندي' });
    expect(seen.every((render) => render.locale === 'ar')).toBe(true);
    expect(host.textContent).toBe('فوندي');
    act(() => root.unmount());
  });

  it('switching loads the other dictionary, then shows it in its direction', async () => {
    localStorage.setItem('fundi.locale', 'en');
    const provider = await import('./I18nProvider');
    expect(document.documentElement.dir).toBe('ltr');
    const { seen, host, root, api } = await mount(provider);
    expect(seen[0]).toEqual({ locale: 'en', dir: 'ltr', name: 'Fundi' });
    await act(async () => {
      api().setLocale('ar');
      await settle(provider);
    });
    expect(host.textContent).toBe('فوندي');
    expect(document.documentElement.dir).toBe('rtl');
    expect(localStorage.getItem('fundi.locale')).toBe('ar');
    act(() => root.unmount());
  });
});
