import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useTopic } from '@ghost/react';
import { startHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { sleep } from '../../../test/helpers/wait.js';
import { framesOf, recordingSocket, renderWith } from './helpers.js';

describe('useTopic', () => {
  it('hands each message to the newest handler once, even in StrictMode, and publishes', async () => {
    const { url } = await startHub();
    const sent: string[] = [];
    const client = openClient(url, { WebSocket: recordingSocket(sent) });
    const other = openClient(url);
    const heard: unknown[] = [];
    other.topic('news').subscribe((data) => heard.push(data));
    function News() {
      const [prefix, setPrefix] = useState('a');
      const [lines, setLines] = useState<string[]>([]);
      // A new function at each render: the newest one gets the next message, without resubscribing.
      const publish = useTopic('news', (data, { from }) => setLines((all) => [...all, `${prefix}:${String(data)}:${from === other.self?.id}`]));
      return (
        <div>
          <button onClick={() => setPrefix('b')}>switch</button>
          <button onClick={() => void publish('from react')}>publish</button>
          <p data-testid="lines">{lines.join(' ')}</p>
        </div>
      );
    }
    // Mounted once connected, so that every frame StrictMode's remount could cause is really sent.
    await waitFor(() => expect(client.status).toBe('open'));
    renderWith(client, <News />);
    await waitFor(() => expect(framesOf(sent, 'topic.subscribe')).toHaveLength(1));
    await sleep(50); // the subscription reaches the hub before the publish below
    await other.topic('news').publish('one');
    await waitFor(() => expect(screen.getByTestId('lines').textContent).toBe('a:one:true'));
    fireEvent.click(screen.getByText('switch'));
    await other.topic('news').publish('two');
    await waitFor(() => expect(screen.getByTestId('lines').textContent).toBe('a:one:true b:two:true'));

    fireEvent.click(screen.getByText('publish'));
    await waitFor(() => expect(heard).toEqual(['one', 'two', 'from react']));
    // StrictMode's remount kept the one subscription: no unsubscribe, no second subscribe.
    expect(framesOf(sent, 'topic.subscribe')).toHaveLength(1);
    expect(framesOf(sent, 'topic.unsubscribe')).toEqual([]);
  });

  it('without a handler only publishes, and unmounting unsubscribes', async () => {
    const running = await startHub();
    const client = openClient(running.url);
    const other = openClient(running.url);
    const heard: unknown[] = [];
    other.topic('news').subscribe((data) => heard.push(data));
    let handled = 0;
    function Publisher() {
      const publish = useTopic('news');
      return <button onClick={() => void publish('hi')}>publish</button>;
    }
    function Listener() {
      useTopic('news', () => handled++);
      return null;
    }
    function Page() {
      const [listening, setListening] = useState(true);
      return <><Publisher />{listening && <Listener />}<button onClick={() => setListening(false)}>stop</button></>;
    }
    renderWith(client, <Page />);
    await waitFor(() => expect(running.hub.stats().topics).toBe(1));
    await sleep(50);
    fireEvent.click(screen.getByText('publish'));
    await waitFor(() => expect(heard).toEqual(['hi']));
    await waitFor(() => expect(handled).toBe(1));
    fireEvent.click(screen.getByText('stop'));
    await sleep(50);
    await other.topic('news').publish('after');
    await waitFor(() => expect(heard).toEqual(['hi', 'after']));
    await sleep(50);
    expect(handled).toBe(1);
  });
});
