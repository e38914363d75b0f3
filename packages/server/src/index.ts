export { createHub } from './create-hub.js';
export { Hub, type HubEvents, type AttachOptions, type CloseOptions } from './hub.js';
export type { HubStats } from './hub-stats.js';
export { DEFAULT_LIMITS, DEFAULT_CHAT, type HubOptions, type HubLimits, type GhostUser, type SlowTopicPolicy } from './options.js';
export type { ChatOptions, ChatNameRule, PresenceKey, Authorize, AuthorizeAction, AuthorizeTarget } from './options.js';
export type { Adapter, AdapterContext, StreamRange } from './adapters/adapter.js';
export { memoryAdapter, createMemoryBus, type MemoryBus, type MemoryAdapterOptions } from './adapters/memory.js';
export { createOpsHandler, type OpsHub } from './ops/create-ops-handler.js';
export type { OpsHandler } from './ops/handler.js';
export type { OpsOptions } from './ops/options.js';
export type { OpsCheck } from './ops/check.js';
// The shared vocabulary, so a server needs one import.
export { defineSchema, GhostError, ErrorCode, CloseCode, isValidName } from '@ghost/protocol';
