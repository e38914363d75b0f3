// What the hook tests share: a component tree under <GhostProvider> (in StrictMode unless told
// otherwise) that is unmounted after the test, a socket that records what the client sends, and a
// count of each component's commits.
import { StrictMode, useEffect, type ReactNode } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import WebSocket from 'ws';
import type { GhostClient, SocketConstructor } from '@ghost/client';
import { GhostProvider } from '@ghost/react';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';

/** Renders `ui` under a provider of `client`, in StrictMode unless `strict` is false. */
export function renderWith(client: GhostClient<any>, ui: ReactNode, { strict = true } = {}): RenderResult {
  const tree = <GhostProvider client={client}>{ui}</GhostProvider>;
  const view = render(strict ? <StrictMode>{tree}</StrictMode> : tree);
  closeAfterTest(() => view.unmount());
  return view;
}

/** `ws`, recording each frame sent into `sent`: what the hub was told, beyond what others get to see. */
export function recordingSocket(sent: string[]): SocketConstructor {
  return class extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      sent.push(String(data));
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  } as unknown as SocketConstructor;
}

/** The frames in `sent` of `type` (`presence.join`, …). */
export function framesOf(sent: string[], type: string): Record<string, unknown>[] {
  return sent.map((frame) => JSON.parse(frame) as Record<string, unknown>).filter((frame) => frame.type === type);
}

/**
 * Counts each component's commits: a component calls `useCommits(name)`, and `counts[name]` grows by
 * one each time React commits a render of it (by two at a StrictMode mount).
 */
export function commitCounter(): { counts: Record<string, number>; useCommits: (name: string) => void } {
  const counts: Record<string, number> = {};
  return {
    counts,
    useCommits(name) {
      useEffect(() => {
        counts[name] = (counts[name] ?? 0) + 1;
      });
    },
  };
}
