/** Requests per session whose outcome is remembered by ref, so a resend is answered again and not redone. */
export const REMEMBERED_REFS = 256;

/**
 * The outcomes of a session's recent requests by ref, the newest {@link REMEMBERED_REFS}: a request
 * resent after a reconnect is answered again, not redone.
 */
export class RememberedResults {
  /** Made on the first request with a ref: an idle connection does not pay for an empty Map. */
  private results: Map<number, unknown> | undefined;

  remember(ref: number, result: unknown): void {
    const results = (this.results ??= new Map());
    results.set(ref, result);
    if (results.size > REMEMBERED_REFS) results.delete(results.keys().next().value!);
  }

  forget(ref: number): void {
    this.results?.delete(ref);
  }

  has(ref: number): boolean {
    return this.results?.has(ref) ?? false;
  }

  get(ref: number): unknown {
    return this.results?.get(ref);
  }
}
