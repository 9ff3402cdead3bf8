/**
 * The server's own request counters over the last minute (AutoServe's request_rate and
 * error_rate): 60 one-second buckets, so reading is O(60) and memory is constant.
 */
const BUCKETS = 60;

export interface TrafficFigures {
  /** Requests per second, averaged over the last minute. */
  requestsPerSecond: number;
  /** Share of those answered with a 5xx, in percent. */
  errorPercent: number;
}

export class TrafficWindow {
  readonly #second = new Float64Array(BUCKETS);
  readonly #requests = new Uint32Array(BUCKETS);
  readonly #errors = new Uint32Array(BUCKETS);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(statusCode: number): void {
    const second = Math.floor(this.#now() / 1000);
    const i = second % BUCKETS;
    if (this.#second[i] !== second) {
      this.#second[i] = second;
      this.#requests[i] = 0;
      this.#errors[i] = 0;
    }
    this.#requests[i]! += 1;
    if (statusCode >= 500) this.#errors[i]! += 1;
  }

  figures(): TrafficFigures {
    const now = Math.floor(this.#now() / 1000);
    let requests = 0;
    let errors = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (now - this.#second[i]! < BUCKETS) {
        requests += this.#requests[i]!;
        errors += this.#errors[i]!;
      }
    }
    return {
      requestsPerSecond: Math.round((requests / BUCKETS) * 100) / 100,
      errorPercent: requests === 0 ? 0 : Math.round((errors / requests) * 10_000) / 100,
    };
  }
}
