/** Steps that run one after another: each starts once every step queued before it has settled. */
export class StepQueue {
  /** The last step queued, settled either way; none before the first. */
  private last: Promise<unknown> | undefined;

  /** Runs `step` after every step queued before it has settled. */
  run<T>(step: () => Promise<T>): Promise<T> {
    const result = (this.last ?? Promise.resolve()).then(step, step);
    this.last = result.catch(() => undefined);
    return result;
  }
}
