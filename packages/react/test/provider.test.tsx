import { StrictMode, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { z } from 'zod';
import { defineSchema } from '@ghost/protocol';
import { createHooks, GhostProvider, useClient, useStatus } from '@ghost/react';
import { startHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { sleep } from '../../../test/helpers/wait.js';
import { renderWith } from './helpers.js';

function Status() {
  return <p data-testid="status">{useStatus()}</p>;
}

describe('GhostProvider', () => {
  it('with a url, connects once in StrictMode, renders its children once connected, and closes on unmount', async () => {
    const running = await startHub();
    function Page() {
      const [on, setOn] = useState(true);
      return (
        <>
          {on && <GhostProvider url={running.url} options={{ params: { team: 'red' } }}><Status /></GhostProvider>}
          <button onClick={() => setOn(false)}>off</button>
        </>
      );
    }
    const view = render(<StrictMode><Page /></StrictMode>);
    closeAfterTest(() => view.unmount());
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open'));
    await sleep(50);
    expect(running.hub.stats().connections).toBe(1);
    fireEvent.click(screen.getByText('off'));
    await waitFor(() => expect(running.hub.stats().connections).toBe(0));
    expect(running.hub.stats().resumable).toBe(0); // closed on purpose, not dropped
  });

  it('with a client, leaves it open on unmount: the app made it, the app closes it', async () => {
    const running = await startHub();
    const client = openClient(running.url);
    const view = renderWith(client, <Status />);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open'));
    view.unmount();
    await sleep(50);
    expect(client.status).toBe('open');
  });

  it('useClient gives the client, and says what is missing without a provider', async () => {
    const running = await startHub();
    const client = openClient(running.url);
    let seen: unknown;
    function Peek() {
      seen = useClient();
      return null;
    }
    renderWith(client, <Peek />);
    expect(seen).toBe(client);

    const quiet = console.error;
    console.error = () => {}; // React reports the render error too
    try {
      expect(() => render(<Peek />)).toThrow('Ghost hooks need a <GhostProvider client={client}> (or url="/ghost") above this component');
    } finally {
      console.error = quiet;
    }
  });
});

describe('createHooks', () => {
  it("gives the hooks typed by the app's schema, working against a hub that validates it", async () => {
    const schema = defineSchema({
      presence: z.object({ x: z.number(), y: z.number() }),
      topics: { scores: z.array(z.number()) },
    });
    const ghost = createHooks(schema);
    const running = await startHub({ schema });
    const client = openClient(running.url, { schema });
    const other = openClient(running.url, { schema });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    function Game() {
      const [me, setMe] = ghost.usePresence('table');
      const xs = ghost.useOthers('table', (others) => others.map((m) => m.state.x));
      const [scores, setScores] = useState<number[]>([]);
      const publish = ghost.useTopic('scores', (data) => setScores(data));
      const self = ghost.useClient().self;
      return (
        <>
          <button onClick={() => setMe({ x: 1, y: 2 })}>move</button>
          <button onClick={() => setMe((previous) => ({ x: (previous?.x ?? 0) + 1, y: 0 }))}>right</button>
          <button onClick={() => void publish([3, 4])}>score</button>
          <p data-testid="me">{me ? `${me.x},${me.y}` : 'away'}</p>
          <p data-testid="xs">{xs.join(',')}</p>
          <p data-testid="scores">{scores.join(',')}</p>
          <p data-testid="self">{self?.id ?? ''}</p>
        </>
      );
    }
    renderWith(client, <Game />);
    fireEvent.click(screen.getByText('move'));
    fireEvent.click(screen.getByText('right'));
    expect(screen.getByTestId('me').textContent).toBe('2,0');
    await waitFor(() => expect(other.presence('table').others.map((m) => m.state)).toEqual([{ x: 2, y: 0 }]));
    other.presence('table').track({ x: 7, y: 7 });
    await waitFor(() => expect(screen.getByTestId('xs').textContent).toBe('7'));
    await sleep(50);
    fireEvent.click(screen.getByText('score'));
    await waitFor(() => expect(screen.getByTestId('scores').textContent).toBe('3,4'));
    expect(screen.getByTestId('self').textContent).toBe(client.self!.id);
    expect(errors).toEqual([]); // the hub found every state and score valid
  });
});
