import { Component, type ReactNode } from 'react';
import { Screen } from '../components/Screen';
import { useT } from '../i18n/I18nProvider';

function LoadFailed() {
  const t = useT();
  return (
    <Screen heading={t('loadFailed.title')}>
      <p>{t('loadFailed.body')}</p>
      <button type="button" className="button button-primary" onClick={() => window.location.reload()}>
        {t('loadFailed.retry')}
      </button>
    </Screen>
  );
}

/**
 * Screens are lazy chunks; fetching one can fail on a flaky network (or after a deploy removed it).
 * A reload is the reliable retry, since React.lazy remembers a failed import.
 */
export class ScreenErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error('Screen failed to render', error);
  }

  override render(): ReactNode {
    return this.state.failed ? <LoadFailed /> : this.props.children;
  }
}
