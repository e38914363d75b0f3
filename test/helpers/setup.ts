import { afterEach } from 'vitest';
import { closeAll } from './cleanup.js';

afterEach(closeAll);
