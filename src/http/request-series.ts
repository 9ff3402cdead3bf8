/**
 * Request count and duration per (route, method, status), kept in plain numbers on the
 * request path and written out in Prometheus' text format only when /metrics is read.
 *
 * Why not prom-client's Counter and Histogram per request: each `inc`/`observe` with
 * labels validates the label names and hashes the label object (sorted keys, a string
 * built per call), twice per request; a profile of `GET /v1/auth/me` put that near 2 % of
 * the server's CPU (issue 15). Here a request costs three Map lookups of strings and
 * numbers that are already hashed, an add and a bucket increment.
 */

/** Upper bounds of the duration buckets, in seconds (prom-client's `le`). */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const REQUESTS = 'tasklane_http_requests_total';
const DURATION = 'tasklane_http_request_duration_seconds';

interface Series {
  count: number;
  /** Seconds. */
  sum: number;
  /** Per bucket, not cumulative (cumulated when written); the last one is +Inf. */
  buckets: Float64Array;
}

export class RequestSeries {
  /** route → method → status code → series. */
  readonly #routes = new Map<string, Map<string, Map<number, Series>>>();

  record(route: string, method: string, statusCode: number, seconds: number): void {
    let methods = this.#routes.get(route);
    if (!methods) {
      methods = new Map();
      this.#routes.set(route, methods);
    }
    let statuses = methods.get(method);
    if (!statuses) {
      statuses = new Map();
      methods.set(method, statuses);
    }
    let series = statuses.get(statusCode);
    if (!series) {
      series = { count: 0, sum: 0, buckets: new Float64Array(BUCKETS.length + 1) };
      statuses.set(statusCode, series);
    }
    series.count++;
    series.sum += seconds;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    series.buckets[i]!++;
  }

  /** Both metrics in the Prometheus text exposition format (version 0.0.4). */
  exposition(): string {
    const counts = [
      `# HELP ${REQUESTS} HTTP requests by route and status`,
      `# TYPE ${REQUESTS} counter`,
    ];
    const durations = [
      `# HELP ${DURATION} HTTP request duration by route`,
      `# TYPE ${DURATION} histogram`,
    ];
    for (const [route, methods] of this.#routes)
      for (const [method, statuses] of methods)
        for (const [status, series] of statuses) {
          const labels = `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status_code="${status}"`;
          counts.push(`${REQUESTS}{${labels}} ${series.count}`);
          let cumulative = 0;
          for (let i = 0; i <= BUCKETS.length; i++) {
            cumulative += series.buckets[i]!;
            const le = i < BUCKETS.length ? String(BUCKETS[i]) : '+Inf';
            durations.push(`${DURATION}_bucket{le="${le}",${labels}} ${cumulative}`);
          }
          durations.push(`${DURATION}_sum{${labels}} ${series.sum}`);
          durations.push(`${DURATION}_count{${labels}} ${series.count}`);
        }
    return `${counts.join('\n')}\n\n${durations.join('\n')}\n`;
  }
}

/** A label value's escapes (backslash, double quote, line feed). */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
