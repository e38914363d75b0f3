import { createSecret } from './ids.js';

/**
 * The secret half of a connection's resume token. A token is good for one resume: each welcome
 * carries a new one ({@link rotate}). The token the client resumed with stays good until it proves it
 * got the new one (its first frame on the new socket: {@link confirm}): a socket that dies before the
 * welcome arrives must not strand the session.
 */
export class ResumeSecret {
  private current = createSecret();
  private previous: string | undefined;

  get value(): string {
    return this.current;
  }

  accepts(secret: string): boolean {
    return secret === this.current || (this.previous !== undefined && secret === this.previous);
  }

  rotate(): void {
    this.previous = this.current;
    this.current = createSecret();
  }

  confirm(): void {
    this.previous = undefined;
  }
}
