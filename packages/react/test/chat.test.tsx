import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useChat } from '@ghost/react';
import { startHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { renderWith } from './helpers.js';

describe('useChat', () => {
  it('shows the history and new messages, claims a name, sends, and gives the name back on unmount', async () => {
    const { url } = await startHub();
    const client = openClient(url);
    const other = openClient(url);
    const otherRoom = other.chat('fishing');
    await otherRoom.identify('Bob');
    await otherRoom.send('before you came');

    function Chat() {
      const { messages, name, identify, send } = useChat('fishing');
      return (
        <div>
          <p data-testid="name">{name ?? 'nobody'}</p>
          <ol>{messages.map((m) => <li key={m.id}>{`${m.user}: ${m.text}`}</li>)}</ol>
          <button onClick={() => void identify('Ada').then(() => send('hello'))}>say hello</button>
        </div>
      );
    }
    function Page() {
      const [open, setOpen] = useState(true);
      return <>{open && <Chat />}<button onClick={() => setOpen(false)}>close</button></>;
    }
    renderWith(client, <Page />);
    await screen.findByText('Bob: before you came');
    fireEvent.click(screen.getByText('say hello'));
    await screen.findByText('Ada: hello');
    expect(screen.getByTestId('name').textContent).toBe('Ada');
    await otherRoom.send('welcome');
    await screen.findByText('Bob: welcome');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Bob: before you came', 'Ada: hello', 'Bob: welcome']);

    // Leaving gives the name back: someone else can take it.
    fireEvent.click(screen.getByText('close'));
    await waitFor(() => expect(other.chat('fishing').identify('Ada')).resolves.toBe('Ada'));
  });

  it('a name held by someone else is refused with NAME_TAKEN, and no name is shown', async () => {
    const { url } = await startHub();
    const client = openClient(url);
    await openClient(url).chat('lobby').identify('Ada');
    const outcomes: string[] = [];
    function Chat() {
      const { name, identify } = useChat('lobby');
      return (
        <>
          <p data-testid="name">{name ?? 'nobody'}</p>
          <button onClick={() => identify('ada').catch((error: { code: string }) => outcomes.push(error.code))}>claim</button>
        </>
      );
    }
    renderWith(client, <Chat />);
    fireEvent.click(screen.getByText('claim'));
    await waitFor(() => expect(outcomes).toEqual(['NAME_TAKEN']));
    expect(screen.getByTestId('name').textContent).toBe('nobody');
  });
});
