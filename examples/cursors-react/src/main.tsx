// The page: one client for the tab, handed to the hooks by <GhostProvider>, in StrictMode (whose
// double mount the hooks survive without a second join).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '@ghost/client';
import { GhostProvider } from '@ghost/react';
import type { schema } from '../shared/schema.js';
import { App } from './app.js';
import { visitorSecret } from './visitor.js';
import '@ghost-examples/shared/cursors/style.css';
import './layout.css';

// You are the same visitor after a reload: a random id kept in localStorage, sent on every connection.
const client = createClient<typeof schema>('/ghost', { params: { visitor: visitorSecret() } });

// Leaving the page closes the connection on purpose, so the hub drops your cursor at once. Coming
// back from the back/forward cache needs a fresh connection: reload.
addEventListener('pagehide', () => void client.close());
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GhostProvider client={client}>
      <App />
    </GhostProvider>
  </StrictMode>,
);
