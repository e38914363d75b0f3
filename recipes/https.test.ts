import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { checkRecipe } from './check-recipe.js';
import { start } from './https.js';

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl; undefined without openssl. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ghost-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSigned();
if (!tls && process.env.CI) throw new Error('openssl is missing: the https recipe test needs it to make a certificate (apt-get install -y openssl)');

describe('recipe: https', () => {
  it.skipIf(!tls)('serves the app routes, Ghost on /ghost and a raw ws echo on /echo over TLS (wss://)', async () => {
    await checkRecipe(() => start({ key: tls!.key, cert: tls!.cert }), { ca: tls!.cert });
  });
});
