// A minimal hook renderer over react-dom (no testing-library dependency): renders once, synchronously.
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';

function Probe({ hook }: { hook: () => void }) {
  hook();
  return null;
}

export function renderHook(hook: () => void): void {
  const root = createRoot(document.createElement('div'));
  flushSync(() => root.render(createElement(Probe, { hook })));
  root.unmount();
}
