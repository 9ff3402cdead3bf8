/**
 * The request series' exposition, checked against prom-client's own output for the same
 * observations (the format clients and Prometheus parse), and its label escaping.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { RequestSeries } from '../../src/http/request-series.ts';

const observations: [string, string, number, number][] = [
  ['/v1/auth/me', 'GET', 200, 0.0004],
  ['/v1/auth/me', 'GET', 200, 0.003],
  ['/v1/auth/me', 'GET', 401, 0.0011],
  ['/v1/tasks/tasks', 'POST', 201, 0.02],
  ['/v1/tasks/tasks', 'POST', 201, 12],
  ['unmatched', 'DELETE', 404, 0.001],
];

/** Metric lines (no comments), sorted, so the two outputs compare regardless of order. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .sort();
}

test('the exposition equals what prom-client writes for the same requests', async () => {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status_code'] as const;
  const counter = new Counter({
    name: 'tasklane_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames,
    registers: [registry],
  });
  const histogram = new Histogram({
    name: 'tasklane_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const series = new RequestSeries();
  for (const [route, method, status, seconds] of observations) {
    const labels = { method, route, status_code: String(status) };
    counter.inc(labels);
    histogram.observe(labels, seconds);
    series.record(route, method, status, seconds);
  }
  const ours = series.exposition();
  assert.deepEqual(lines(ours), lines(await registry.metrics()));
  assert.match(ours, /^# TYPE tasklane_http_requests_total counter$/m);
  assert.match(ours, /^# TYPE tasklane_http_request_duration_seconds histogram$/m);
  // A bound is inclusive: 0.001 s falls in le="0.001".
  assert.match(
    ours,
    /^tasklane_http_request_duration_seconds_bucket\{le="0.001",method="DELETE",route="unmatched",status_code="404"\} 1$/m,
  );
});

test('label values are escaped', () => {
  const series = new RequestSeries();
  series.record('/a"b\\c\nd', 'GET', 200, 0.1);
  assert.match(series.exposition(), /route="\/a\\"b\\\\c\\nd"/);
});
