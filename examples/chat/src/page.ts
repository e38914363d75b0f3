// The page: the channel is the path (/fishing → chat room "fishing"). Read the history, pick a name
// the room does not have yet, then talk. All text goes in with textContent: a message is never HTML.
import { createClient, ErrorCode, type ChatMessage } from '@ghost/client';
import { byId, el, statusBadge, timeOf } from '@ghost-examples/shared/page';

const room = location.pathname.slice(1);
const identifyForm = byId<HTMLFormElement>('identify');
const composeForm = byId<HTMLFormElement>('compose');
const nameInput = byId<HTMLInputElement>('name');
const textInput = byId<HTMLInputElement>('text');
const list = byId('messages');
document.title = `#${room} · Ghost chat`;
byId('channel').textContent = `#${room}`;

const client = createClient('/ghost');
const chat = client.chat(room);
let waiting = 0; // messages sent and not yet acknowledged: the client keeps them while offline

// The history on join (and again after a reconnect), then each new message, everyone's and ours.
chat.on('history', render);
chat.on('message', () => render(chat.history));
statusBadge(client, showWaiting);
client.on('error', (error) => {
  // Back from a reconnect, the client claims our name again; someone may have taken it meanwhile.
  if (error.code === ErrorCode.NAME_TAKEN && chat.name === undefined) askName(`Someone took your name in #${room} — pick another`);
  // The badge already says "reconnecting…", and the notice keeps what waits to be sent.
  else if (error.code !== ErrorCode.UNREACHABLE) say(error.message);
});

identifyForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  nameInput.disabled = true;
  let refused: string | undefined;
  try {
    await chat.identify(name);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    refused = code === ErrorCode.NAME_TAKEN ? `That name is taken in #${room} — pick another` : message;
  }
  nameInput.disabled = false;
  if (refused) return askName(refused);
  byId('you').textContent = `You are ${chat.name}`;
  identifyForm.hidden = true;
  composeForm.hidden = false;
  say('');
  textInput.focus();
});

composeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = textInput.value;
  if (!text.trim()) return;
  textInput.value = '';
  waiting += 1;
  showWaiting();
  chat.send(text).then(
    () => say(''),
    (error: Error) => say(`Not sent: ${error.message}`),
  ).finally(() => {
    waiting -= 1;
    showWaiting();
  });
});

function askName(reason: string): void {
  byId('you').textContent = '';
  composeForm.hidden = true;
  identifyForm.hidden = false;
  say(reason);
  nameInput.select();
}

function render(messages: readonly ChatMessage[]): void {
  list.replaceChildren(
    ...messages.map((message) => {
      const item = el('li', '', message.userId === client.self?.id ? 'mine' : '');
      item.append(timeOf(message.ts, { hour: '2-digit', minute: '2-digit' }), el('strong', message.user, 'user'), el('span', message.text, 'text'));
      return item;
    }),
  );
  list.scrollTop = list.scrollHeight;
}

function showWaiting(): void {
  if (waiting > 0 && client.status !== 'open') say(`${waiting === 1 ? '1 message waits' : `${waiting} messages wait`} to be sent: it goes out once back online`);
}

function say(text: string): void {
  byId('notice').textContent = text;
}
