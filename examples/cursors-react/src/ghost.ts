// The app's Ghost hooks, typed by the demo's schema. `import type` keeps zod out of the page: the
// hub validates, the page only needs the types.
import { createHooks } from '@ghost/react';
import type { schema } from '../shared/schema.js';

export const { useCursors, useOthers, useTopic } = createHooks<typeof schema>();
