export { GhostProvider, useClient, type GhostProviderProps } from './provider.js';
export { usePresence, useOthers, type PresenceSetter } from './presence.js';
export { useCursors } from './cursors.js';
export { useTopic } from './topic.js';
export { useChat, type ChatRoom } from './chat.js';
export { useStatus } from './status.js';
export { createHooks, type GhostHooks } from './hooks.js';
