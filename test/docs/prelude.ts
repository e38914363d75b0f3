// The names the README and the reference docs (docs/*.md) take for granted in their fragments, each
// typed as the real thing it stands for. Guides get none of this: their blocks are complete.
export const FRAGMENT_PRELUDE = `import type { IncomingMessage, Server } from 'node:http';
import type { Express } from 'express';
import type * as ghostServer from '@ghost/server';
import type * as ghostClient from '@ghost/client';

declare global {
  // The entry points, as if imported.
  const createHub: typeof ghostServer.createHub;
  const createClient: typeof ghostClient.createClient;
  // What a fragment has at hand.
  const hub: ghostServer.Hub;
  const client: ghostClient.GhostClient;
  /** The app: an Express app, which is also a Node request listener. */
  const app: Express;
  /** The app's HTTP server. */
  const server: Server;
  /** An element to track the pointer over. */
  const board: HTMLElement;
  // The app's own functions.
  function userIdFrom(request: IncomingMessage): string;
  function getFreshToken(): Promise<string>;
  function render(members: readonly ghostClient.PresenceMember[]): void;
  function draw(cursors: readonly ghostClient.Cursor[]): void;
  function show(user: string, text: string): void;
  function handle(data: unknown, meta: ghostClient.TopicMeta): void;
  function reloadFromYourDatabase(): void;
  function sessionUser(request: IncomingMessage): Promise<{ id: string; role: string } | null>;
}
`;
