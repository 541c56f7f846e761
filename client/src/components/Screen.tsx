import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useT } from '../i18n/I18nProvider';
import { hasNavigatedInApp } from '../lib/router';

type ScreenProps = {
  heading: string;
  testId?: string;
  /** Exposed as `data-status` for tests and styling (e.g. a booking's status). */
  status?: string;
  children: ReactNode;
};

/** A page: its heading doubles as the document title and receives focus after in-app navigation. */
export function Screen({ heading, testId, status, children }: ScreenProps) {
  const t = useT();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const appName = t('app.name');

  useEffect(() => {
    document.title = `${heading} · ${appName}`;
  }, [heading, appName]);

  // Screen-reader and keyboard users otherwise stay on the link they activated, unaware the page changed.
  useEffect(() => {
    if (hasNavigatedInApp()) headingRef.current?.focus();
  }, []);

  return (
    <section className="screen" data-testid={testId} data-status={status} aria-labelledby={headingId}>
      <h1 id={headingId} ref={headingRef} tabIndex={-1}>
        {heading}
      </h1>
      {children}
    </section>
  );
}
