// The demo's schema: the hub validates with it, the page takes only its types (`import type`), so
// zod stays out of the browser bundle.
import { z } from 'zod';
import { defineSchema } from '@ghost/protocol';

const user = z.object({
  id: z.string(),
  name: z.string().nullable(),
  color: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  online: z.boolean(),
});

export const schema = defineSchema({
  // A cursor: fractions (0..1) of the board, as `client.cursors` tracks it.
  presence: z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }),
  // What ActiveUsers publishes (ActiveUsersFeed, in @ghost-examples/shared/cursors/feed).
  topics: { 'active-users': z.object({ rev: z.number(), available: z.boolean(), users: z.array(user) }) },
});
