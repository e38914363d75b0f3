export { startTestHub, type TestHub, type TestServerOptions } from './start-test-hub.js';
export { connectClient, whenOpen, TEST_BACKOFF, type Cleanup, type ConnectOptions } from './connect.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
