// The inspector page, shipped as strings inside the server's build: nothing to build or copy for the
// user. Plain DOM code; every value from the hub is written with textContent, never as HTML.

/** The page itself: a shell that the script fills in. */
export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ghost inspector</title>
<link rel="stylesheet" href="inspector.css">
<script src="inspector.js" defer></script>
</head>
<body>
<header>
  <h1>Ghost inspector</h1>
  <span id="node" class="muted"></span>
  <span id="status" class="pill">connecting</span>
</header>
<form id="login" hidden>
  <label>API token <input id="token" type="password" autocomplete="off" placeholder="the hub's --api-token"></label>
  <button type="submit">Open</button>
  <span id="login-error" class="error"></span>
</form>
<main id="main" hidden>
  <section id="cards" class="cards"></section>
  <div class="grid">
    <section><h2>Rooms and presence</h2><div id="rooms"></div></section>
    <section><h2>Cluster nodes</h2><div id="nodes"></div>
      <h2>Topics</h2><div id="topics"></div>
      <h2>Slow consumers</h2><div id="slow"></div></section>
  </div>
  <section><h2>Connections</h2><div id="connections"></div></section>
</main>
</body>
</html>
`;

/** The page's styles. */
export const INSPECTOR_CSS = `
:root { color-scheme: light; --bg: #f6f7f9; --card: #fff; --ink: #1b1f24; --muted: #67707b; --line: #e3e6ea; --accent: #6d28d9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
header { display: flex; align-items: center; gap: 12px; padding: 12px 20px; background: #17132b; color: #fff; }
header h1 { font-size: 17px; margin: 0; letter-spacing: .2px; }
header .muted { color: #b9b3d6; font-family: ui-monospace, monospace; font-size: 12px; }
.pill { margin-left: auto; padding: 2px 10px; border-radius: 999px; background: #555; font-size: 12px; }
.pill.live { background: #15803d; }
main, form { padding: 16px 20px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); margin: 18px 0 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fafbfc; }
td.mono, .mono { font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; }
td.state { white-space: normal; word-break: break-all; }
.room { margin-bottom: 12px; }
.room h3 { font-size: 14px; margin: 0 0 4px; }
.room h3 small { color: var(--muted); font-weight: normal; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: middle; }
.slow { color: #b45309; font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
.error { color: #b91c1c; margin-left: 8px; }
input { padding: 4px 8px; width: 320px; }
`;

/** The page's script: token, ticket, live socket, rendering. */
export const INSPECTOR_JS = `'use strict';
const TOKEN_KEY = 'ghost-ops-token';
const $ = (id) => document.getElementById(id);
// A token in the fragment (#token=…) is never sent to the server nor logged: keep it for this tab only.
const fromHash = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash[1]));
  history.replaceState(null, '', location.pathname + location.search);
}
let retryTimer;

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'text') el.textContent = value;
    else if (key === 'color') el.style.background = value;
    else if (key.startsWith('data-') || key === 'class' || key === 'title') el.setAttribute(key, value);
  }
  for (const child of children) if (child != null) el.append(child);
  return el;
}
function table(headers, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'empty', text: empty });
  return h('table', {}, h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { text: t })))), h('tbody', {}, ...rows));
}
const cell = (text, cls) => h('td', { text: String(text), class: cls || '' });
const json = (value) => (value === undefined ? '' : JSON.stringify(value));
function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
function ago(ms) { return ms < 1000 ? 'now' : (ms / 1000).toFixed(1) + ' s ago'; }
function setStatus(text, live) { const el = $('status'); el.textContent = text; el.className = live ? 'pill live' : 'pill'; }

function render(s) {
  $('node').textContent = 'node ' + s.node;
  const st = s.stats;
  const cards = [['connections', st.connections], ['resumable', st.resumable], ['slow', st.slow], ['rooms', st.rooms],
    ['members', st.members], ['topics', st.topics], ['chat rooms', st.chatRooms], ['nodes', s.nodes.length]];
  $('cards').replaceChildren(...cards.map(([label, value]) => h('div', { class: 'card', 'data-stat': label }, h('b', { text: String(value) }), h('span', { text: label }))));
  $('rooms').replaceChildren(...(s.rooms.length === 0 ? [h('p', { class: 'empty', text: 'No presence rooms on this node' })] : s.rooms.map((room) =>
    h('div', { class: 'room', 'data-room': room.name },
      h('h3', { text: room.name }, h('small', { text: '  ' + plural(room.memberCount, 'member') + ', ' + plural(room.watchers, 'watcher') + ' here' })),
      table(['member', 'node', 'user', 'state'], room.members.map((m) => h('tr', { 'data-member': m.id },
        h('td', { class: 'mono' }, h('span', { class: 'swatch', color: m.color || '#999' }), m.id),
        cell(m.node === s.node ? m.node + ' (this)' : m.node, 'mono'), cell(json(m.user), 'mono'), h('td', { class: 'mono state', 'data-state': '', text: json(m.state) }))), 'Nobody tracks a state here')))));
  $('nodes').replaceChildren(table(['node', 'last heartbeat'], s.nodes.map((n) => h('tr', { 'data-node': n.id },
    cell(n.id + (n.self ? ' (this)' : ''), 'mono'), cell(n.self ? '-' : ago(n.lastHeartbeatMsAgo)))), 'Alone'));
  $('topics').replaceChildren(table(['topic', 'subscribers', 'msg/s', 'delivered', 'history'], s.topics.map((t) => h('tr', { 'data-topic': t.name },
    cell(t.name, 'mono'), cell(t.subscribers), cell(t.perSecond), cell(t.delivered),
    h('td', { 'data-history': t.history ? t.history.oldestSeq + '-' + t.history.lastSeq : '', title: t.history ? 'seq ' + t.history.oldestSeq + ' to ' + t.history.lastSeq : '',
      text: t.history ? plural(t.history.lastSeq - t.history.oldestSeq + 1, 'message') + ' kept' : '-' }))), 'No subscribed topics'));
  const slow = s.connections.filter((c) => c.slow);
  $('slow').replaceChildren(table(['connection', 'waiting bytes'], slow.map((c) => h('tr', {}, cell(c.id, 'mono slow'), cell(c.bufferedBytes))), 'None'));
  $('connections').replaceChildren(table(['id', 'user', 'address', 'socket', 'buffered', 'topics', 'rooms'], s.connections.map((c) => h('tr', { 'data-connection': c.id },
    cell(c.id, 'mono' + (c.slow ? ' slow' : '')), cell(json(c.user), 'mono'), cell(c.address, 'mono'), cell(c.open ? 'open' : 'resumable'),
    cell(c.bufferedBytes), cell(c.topics), cell(c.rooms))), 'No connections'));
}

function later() { clearTimeout(retryTimer); retryTimer = setTimeout(connect, 1000); }

function showLogin(message) {
  setStatus('locked', false);
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').focus();
}

async function connect() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  let response;
  try {
    response = await fetch('inspector/ticket', { method: 'POST', headers: token ? { authorization: 'Bearer ' + token } : {} });
  } catch { setStatus('offline', false); return later(); }
  if (response.status === 401 || response.status === 403) return showLogin(token ? 'That token was refused' : '');
  if (!response.ok) { setStatus('offline', false); return later(); }
  const { ticket } = await response.json();
  const url = new URL('inspector/live?ticket=' + encodeURIComponent(ticket), location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  ws.onopen = () => { setStatus('live', true); $('login').hidden = true; $('main').hidden = false; };
  ws.onmessage = (event) => render(JSON.parse(event.data));
  ws.onclose = () => { setStatus('offline', false); later(); };
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  connect();
});
connect();
`;
