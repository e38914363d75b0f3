// What a block of the docs may take for granted, by name. A block names what it assumes in an HTML
// comment on the line before its fence (`<!-- assumes: hub, client -->`, invisible once rendered);
// only those names are declared for it, each typed as the real thing it stands for, so a fragment
// that calls something the API no longer has still fails. A block that names nothing must be a
// complete module, imports included.
//
// Each declaration is one line of TypeScript with `import()` types only: they are put on one line
// in front of the block, so the errors' line numbers stay exact.
export const ASSUMABLE: Readonly<Record<string, string>> = {
  // The entry points, as if imported.
  createHub: "declare const createHub: typeof import('@ghost/server').createHub;",
  createClient: "declare const createClient: typeof import('@ghost/client').createClient;",
  // What a fragment has at hand.
  hub: "declare const hub: import('@ghost/server').Hub;",
  client: "declare const client: import('@ghost/client').GhostClient;",
  /** The app: an Express app, which is also a Node request listener. */
  app: "declare const app: import('express').Express;",
  /** The app's HTTP server. */
  server: "declare const server: import('node:http').Server;",
  /** An element to track the pointer over. */
  board: 'declare const board: HTMLElement;',
  // The app's own functions.
  userIdFrom: "declare function userIdFrom(request: import('node:http').IncomingMessage): string;",
  getFreshToken: 'declare function getFreshToken(): Promise<string>;',
  render: "declare function render(members: readonly import('@ghost/client').PresenceMember[]): void;",
  draw: "declare function draw(cursors: readonly import('@ghost/client').Cursor[]): void;",
  show: 'declare function show(user: string, text: string): void;',
  handle: "declare function handle(data: unknown, meta: import('@ghost/client').TopicMeta): void;",
  reloadFromYourDatabase: 'declare function reloadFromYourDatabase(): void;',
  sessionUser: "declare function sessionUser(request: import('node:http').IncomingMessage): Promise<{ id: string; role: string } | null>;",
};
