// A time budget for one editor request. Loops over lines, symbols or index entries ask
// `spent()` and stop early, so a request on hostile input answers with what it has instead of
// blocking the server. Cheap: the clock is read once every 64 calls.
export class Budget {
  private readonly end: number;
  private calls = 0;
  private hit = false;

  /** `ms`: wall-clock allowance; `cancelled`: the client's cancellation, when it can be seen. */
  constructor(ms: number, private readonly cancelled?: () => boolean) {
    this.end = performance.now() + ms;
  }

  /** True once the time is up or the request was cancelled (and from then on). */
  spent(): boolean {
    if (this.hit) return true;
    if ((++this.calls & 63) !== 0) return false;
    this.hit = performance.now() > this.end || !!this.cancelled?.();
    return this.hit;
  }

  /** Whether `spent()` ever stopped a loop: the answer may be partial. */
  get exhausted(): boolean { return this.hit; }
}

/** No limit (the CLI and tests that want every result). */
export const UNLIMITED: Budget = new Budget(Number.POSITIVE_INFINITY);
