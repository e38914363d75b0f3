// The page: subscribe to topics, publish to them, and log what arrives (from other pages, the CLI,
// or the server's HTTP routes). All text goes in with textContent: a message is never HTML.
import { createClient, type TopicMeta } from '@ghost/client';
import { byId, el, statusBadge, timeOf } from '@ghost-examples/shared/page';

const topicInput = byId<HTMLInputElement>('topic');
const messageInput = byId<HTMLInputElement>('message');
const subscriptionList = byId('subscriptions');
const log = byId('log');

const client = createClient('/ghost');
const subscriptions = new Map<string, () => void>(); // topic → the function that unsubscribes

statusBadge(client);
client.on('error', (error) => say(`${error.code}: ${error.message}`));
client.on('broadcast', (data) => append('(broadcast)', data, { from: null, ts: Date.now() }));

byId('subscribe').addEventListener('submit', (event) => {
  event.preventDefault();
  const topic = topicInput.value.trim();
  if (subscriptions.has(topic)) return say(`Already subscribed to ${topic}`);
  try {
    subscriptions.set(topic, client.topic(topic).subscribe((data, meta) => append(topic, data, meta)));
  } catch (error) {
    return say((error as Error).message); // an invalid name
  }
  say(`Subscribed to ${topic}`);
  renderSubscriptions();
});
byId('unsubscribe-button').addEventListener('click', () => unsubscribe(topicInput.value.trim()));

byId('publish').addEventListener('submit', (event) => {
  event.preventDefault();
  const topic = byId<HTMLInputElement>('publish-topic').value.trim();
  try {
    const sent = client.topic(topic).publish(messageInput.value);
    say(client.status === 'open' ? 'Publishing…' : 'Offline: it will be published on reconnect');
    sent.then(() => say(`Published to ${topic}`), (error: Error) => say(error.message));
    messageInput.value = '';
  } catch (error) {
    say((error as Error).message);
  }
});

function unsubscribe(topic: string): void {
  const off = subscriptions.get(topic);
  if (!off) return say(`Not subscribed to ${topic}`);
  off();
  subscriptions.delete(topic);
  say(`Unsubscribed from ${topic}`);
  renderSubscriptions();
}

function renderSubscriptions(): void {
  const items = [...subscriptions.keys()].map((topic) => {
    const button = el('button', '×');
    button.type = 'button';
    button.title = `Unsubscribe from ${topic}`;
    button.addEventListener('click', () => unsubscribe(topic));
    const item = el('li');
    item.dataset.topic = topic;
    item.append(el('span', topic), button);
    return item;
  });
  subscriptionList.replaceChildren(...items);
}

/** Logs a message, newest first: time, topic, sender ("server" for the hub's own) and the data. */
function append(topic: string, data: unknown, { from, ts }: Pick<TopicMeta, 'from' | 'ts'>): void {
  const sender = from === null ? 'server' : from === client.self?.id ? `${from} (you)` : from;
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const entry = el('li');
  entry.append(timeOf(ts), el('span', topic, 'topic'), el('span', sender, 'from'), el('span', text, 'data'));
  log.prepend(entry);
  while (log.childElementCount > 200) log.lastElementChild!.remove();
}

function say(text: string): void {
  byId('notice').textContent = text;
}
