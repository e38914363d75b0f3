import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { useStatus } from '@ghost/react';
import { startHub } from '../../../test/helpers/hub.js';
import { FAST_BACKOFF, openClient } from '../../../test/helpers/clients.js';
import { renderWith } from './helpers.js';

describe('useStatus', () => {
  it('follows the connection: connecting, open, reconnecting while the hub is down, open again', async () => {
    const first = await startHub();
    const client = openClient(first.url, FAST_BACKOFF);
    const seen: string[] = [];
    function Status() {
      const status = useStatus();
      seen.push(status);
      return <p data-testid="status">{status}</p>;
    }
    renderWith(client, <Status />);
    expect(seen[0]).toBe('connecting');
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open'));
    await first.close();
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('reconnecting'));
    await startHub({}, first.port);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open'), { timeout: 5000 });
    await client.close();
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('closed'));
  });
});
