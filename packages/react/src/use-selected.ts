// useSyncExternalStore with a selector: the component re-renders only when what the selector returns
// changed (shallowly), not at every change of the store. The same idea as React's own
// `use-sync-external-store/with-selector`, without the extra dependency.
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { shallowEqual } from './shallow.js';

/** `select(getSnapshot())`, kept identical while shallowly equal, so React can skip the render. */
export function useSelected<S, R>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => S, select: (snapshot: S) => R): R {
  // The value this component last committed: a selector made anew at each render still gets it back.
  const committed = useRef<{ value: R } | null>(null);
  const getSelection = useMemo(() => {
    let memo: { snapshot: S; value: R } | undefined;
    return () => {
      const snapshot = getSnapshot();
      if (memo && Object.is(memo.snapshot, snapshot)) return memo.value;
      let value = select(snapshot);
      const previous = memo ?? committed.current;
      if (previous && shallowEqual(previous.value, value)) value = previous.value;
      memo = { snapshot, value };
      return value;
    };
  }, [getSnapshot, select]);
  const value = useSyncExternalStore(subscribe, getSelection, getSelection);
  useEffect(() => {
    committed.current = { value };
  }, [value]);
  return value;
}

/** The selector of a hook called without one. */
export function everything<T>(value: T): T {
  return value;
}
