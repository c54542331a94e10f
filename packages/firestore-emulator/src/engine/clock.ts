/**
 * Commit times: microseconds since the epoch, strictly increasing across the whole
 * emulator, so every commit has its own version and resume tokens order totally.
 */
export class Clock {
  private last = 0

  /** A new time, later than every time handed out before. */
  next(): number {
    const now = Date.now() * 1000
    this.last = now > this.last ? now : this.last + 1
    return this.last
  }

  /** The latest time handed out (or now, if later): a consistent read time. */
  current(): number {
    return Math.max(this.last, Date.now() * 1000)
  }
}
