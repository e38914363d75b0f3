import { useCallback, useSyncExternalStore } from 'react';
import type { ClientStatus } from '@ghost/client';
import { useClient } from './provider.js';

/**
 * The client's status: `connecting`, `open`, `reconnecting` or `closed`; re-renders when it changes.
 * `useClient().self` is up to date by the time it turns `open`.
 *
 * @example
 * const status = useStatus();
 * return <p className={status}>{status === 'open' ? 'online' : 'offline'}</p>;
 */
export function useStatus(): ClientStatus {
  const client = useClient();
  const subscribe = useCallback((onChange: () => void) => client.on('status', onChange), [client]);
  const getStatus = useCallback(() => client.status, [client]);
  return useSyncExternalStore(subscribe, getStatus, getStatus);
}
