/** What a connection in its grace period may have waiting for it (characters of frames); past this the oldest is dropped. */
export const MAX_BACKLOG_BYTES = 1024 * 1024;

/**
 * Frames kept for a client away in its grace period, for when it resumes, up to
 * {@link MAX_BACKLOG_BYTES}: past that the oldest go.
 */
export class GraceBacklog {
  /** The frames from `head` on: dropping the oldest is O(1). */
  private frames: string[] = [];
  private head = 0;
  private bytes = 0;

  keep(frame: string): void {
    this.frames.push(frame);
    this.bytes += frame.length;
    while (this.bytes > MAX_BACKLOG_BYTES && this.head < this.frames.length) {
      this.bytes -= this.frames[this.head]!.length;
      this.frames[this.head++] = '';
    }
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  /** The frames kept, oldest first. */
  kept(): string[] {
    return this.frames.slice(this.head);
  }
}
