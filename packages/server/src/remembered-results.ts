import { LazyMap } from './lazy-collections.js';

/** Requests per session whose outcome is remembered by ref, so a resend is answered again and not redone. */
export const REMEMBERED_REFS = 256;

/**
 * The outcomes of a session's recent requests by ref, the newest {@link REMEMBERED_REFS}: a request
 * resent after a reconnect is answered again, not redone.
 */
export class RememberedResults {
  private readonly results = new LazyMap<number, unknown>();

  remember(ref: number, result: unknown): void {
    this.results.set(ref, result);
    if (this.results.size > REMEMBERED_REFS) this.results.delete(this.results.keys().next().value!);
  }

  forget(ref: number): void {
    this.results.delete(ref);
  }

  has(ref: number): boolean {
    return this.results.has(ref);
  }

  get(ref: number): unknown {
    return this.results.get(ref);
  }
}
