// What a browser bundle gets for `@ghost/server` (its `browser` export condition). The hub needs
// node:http and ws, so instead of an opaque bundler error about a Node built-in, or a bundle that
// breaks on first use, the app fails at load with the fix. Built as CommonJS so that bundlers accept
// named imports from it (`import { createHub }`) and reach the throw.
throw new Error(
  '@ghost/server runs on Node.js (it needs node:http and ws), not in the browser. ' +
    'In the browser, import { createClient } from "@ghost/client" and connect to the hub your server runs.',
);
