/** What `hub.stats()` counts, on this node. */
export interface HubStats {
  /** Connections with an open socket. */
  connections: number;
  /** Connections whose socket dropped and that may still resume within the grace period. */
  resumable: number;
  /** Connections reading too slowly (more than `slowBufferedBytes` waiting): they get presence as snapshots. */
  slow: number;
  /** Topics with at least one subscriber here. */
  topics: number;
  /** Presence rooms with at least one watcher or member here. */
  rooms: number;
  /** Chat rooms with at least one reader here. */
  chatRooms: number;
  /** Presence members (connections that tracked a state) across all rooms here. */
  members: number;
  /**
   * Bytes waiting to be sent to this node's connections, in their sockets and the hub's queues, as the
   * hub counts them against `limits.maxHubBufferedBytes`.
   */
  bufferedBytes: number;
}
