import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './app/ApiProvider';
import { App } from './app/App';
import { SessionProvider } from './features/session/SessionProvider';
import { I18nProvider } from './i18n/I18nProvider';
import './styles/base.css';
import './styles/shell.css';
import './styles/ui.css';
import './styles/shared.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing #root');

createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <ApiProvider>
        <SessionProvider>
          <App />
        </SessionProvider>
      </ApiProvider>
    </I18nProvider>
  </StrictMode>,
);
