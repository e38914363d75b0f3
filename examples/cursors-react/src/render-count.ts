// How many times each component committed a render, by name, in `window.ghostRenders`: the browser
// test reads it to check that a moving cursor re-renders that cursor and nothing else. Look at it in
// DevTools while a cursor moves. (At mount StrictMode counts each component twice.)
import { useEffect } from 'react';

declare global {
  interface Window {
    ghostRenders?: Record<string, number>;
  }
}

export function useRenderCount(name: string): void {
  useEffect(() => {
    const counts = (window.ghostRenders ??= {});
    counts[name] = (counts[name] ?? 0) + 1;
  });
}
