/**
 * AutoServe's ML controller (specs/autoserve.md, "ML Controller API"), field by field,
 * on the real server and database: predictions from the threshold rule before a model
 * exists, the durable retrain job (admins), ARIMA predictions after it, the history
 * with its accuracy rate, and bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as autoscaleRepo from '../../../src/core/autoscale/autoscale.repo.ts';
import type { PoolSample } from '../../../src/core/autoscale/autoscale.types.ts';
import { setDesiredWorkers } from '../../../src/core/autoscale/scaling.service.ts';
import { createContext, systemActor } from '../../../src/core/context.ts';
import { registerUser } from '../../../src/core/identity/users.service.ts';
import { findJob } from '../../../src/core/jobs/jobs.repo.ts';
import { uuidv7 } from '../../../src/core/shared/ids.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client, request } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';

const BODY_LIMIT = 8192;
const SAMPLE_MS = 15_000;
const HORIZON_MS = 300_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** The spec's example request body. */
const SPEC_RETRAIN = { model_type: 'scaling_predictor', training_hours: 168, force_retrain: false };

let server: TestServer;
let api: Client;
let user: TestUser;
let adminToken: string;
before(async () => {
  server = await startServer({
    workers: 1,
    env: {
      TASKLANE_BODY_LIMIT: String(BODY_LIMIT),
      TASKLANE_AUTOSCALE_MAX_WORKERS: '8',
      TASKLANE_AUTOSCALE_SAMPLE_MS: String(SAMPLE_MS),
      TASKLANE_AUTOSCALE_HORIZON_MS: String(HORIZON_MS),
    },
  });
  api = client(server.url);
  user = await createUser(api, 'mluser');
  await registerUser(createContext(server.runtime, systemActor), {
    username: 'ml_admin',
    email: 'ml_admin@example.com',
    password: 'password-123',
    role: 'admin',
  });
  const login = await api.post('/auth/login', { username: 'ml_admin', password: 'password-123' });
  assert.equal(login.status, 200);
  adminToken = login.body.access_token;
});
after(() => server.close());

const system = () => createContext(server.runtime, systemActor);

async function waitForJob(id: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const job = await findJob(system(), id);
    if (job && ['succeeded', 'dead', 'cancelled'].includes(job.status)) return job.status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

/** The arrival rate of sample i: a wave between 1 and 7 jobs/s. */
const rateAt = (i: number) => 4 + 3 * Math.sin(i / 5);
const SEEDED = 60;

/**
 * Sixty samples 15 s apart ending 5 s ago. Each forecast recorded with them is either
 * exactly what then happened (even samples) or twice it plus one (odd): accuracy_rate
 * must come out at one half.
 */
async function seedHistory(): Promise<PoolSample> {
  const now = Date.now();
  const first = now - 5000 - (SEEDED - 1) * SAMPLE_MS;
  const steps = HORIZON_MS / SAMPLE_MS;
  let last: PoolSample | undefined;
  for (let i = 0; i < SEEDED; i++) {
    const ahead = Array.from({ length: steps }, (_, k) => i + 1 + k).filter((j) => j < SEEDED);
    const actual = ahead.reduce((s, j) => s + rateAt(j), 0) / Math.max(ahead.length, 1);
    const sampledAt = first + i * SAMPLE_MS;
    last = {
      id: uuidv7(sampledAt),
      service: 'worker',
      sampledAt,
      intervalMs: SAMPLE_MS,
      queueDepth: i === SEEDED - 1 ? 4 : 0,
      running: 1,
      arrivals: Math.round((rateAt(i) * SAMPLE_MS) / 1000),
      completions: Math.round((rateAt(i) * SAMPLE_MS) / 1000),
      arrivalRate: rateAt(i),
      completionRate: rateAt(i),
      serviceTimeMs: 500,
      cpuUsage: 40 + (i % 10),
      memoryUsage: 60.5,
      currentWorkers: 1,
      desiredWorkers: 1,
      trigger: 'threshold',
      predictedArrivalRate: i % 2 === 0 ? actual : actual * 2 + 1,
      modelVersion: null,
    };
    assert.ok(await autoscaleRepo.insertSample(system(), last, Math.floor(sampledAt / SAMPLE_MS)));
  }
  return last!;
}

describe('GET /ml/scaling/predictions', () => {
  test('401 in AutoServe’s error shape without a token', async () => {
    const res = await api.get('/ml/scaling/predictions');
    assert.equal(res.status, 401);
    assertErrorShape('autoserve', res);
    assert.equal(res.body.error.code, 'UNAUTHORIZED');
  });

  test('before any history: the spec’s fields, the threshold rule, null confidence and model (never a made-up number)', async () => {
    const res = await api.get('/ml/scaling/predictions', { token: user.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'model_accuracy',
      'model_version',
      'predictions',
      'timestamp',
    ]);
    assert.match(res.body.timestamp, ISO);
    assert.equal(res.body.model_version, null);
    assert.equal(res.body.model_accuracy, null);
    assert.equal(res.body.predictions.length, 1);
    const [p] = res.body.predictions;
    assert.deepEqual(Object.keys(p).sort(), [
      'confidence',
      'current_replicas',
      'predicted_replicas',
      'prediction_horizon',
      'reason',
      'service',
    ]);
    assert.equal(p.service, 'worker');
    assert.equal(p.current_replicas, 1, 'the test server runs one job slot');
    assert.equal(p.predicted_replicas, 1, 'idle pool at the minimum');
    assert.equal(p.confidence, null);
    assert.match(p.reason, /^Only 1 of the 30 samples a forecast needs; threshold rule: /);
    assert.equal(p.prediction_horizon, '5m');
  });
});

describe('POST /ml/model/retrain', () => {
  test('401 without a token, 403 FORBIDDEN for a user who is not an administrator', async () => {
    const anon = await api.post('/ml/model/retrain', SPEC_RETRAIN);
    assert.equal(anon.status, 401);
    assertErrorShape('autoserve', anon);
    const res = await api.post('/ml/model/retrain', SPEC_RETRAIN, { token: user.token });
    assert.equal(res.status, 403);
    assertErrorShape('autoserve', res);
    assert.equal(res.body.error.code, 'FORBIDDEN');
  });

  test('the spec’s request starts a durable job; with too little history it trains nothing', async () => {
    const res = await api.post('/ml/model/retrain', SPEC_RETRAIN, { token: adminToken });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'estimated_duration',
      'job_id',
      'message',
      'status',
    ]);
    assert.match(res.body.job_id, UUID);
    assert.equal(res.body.status, 'started');
    assert.equal(res.body.estimated_duration, '1m');
    assert.equal(res.body.message, 'Model retraining started');
    const job = await findJob(system(), res.body.job_id);
    assert.equal(job?.kind, 'autoscale.retrain');
    assert.equal(await waitForJob(res.body.job_id), 'succeeded');
    const after = await api.get('/ml/scaling/predictions', { token: user.token });
    assert.equal(after.body.model_version, null, 'no model from too little history');
  });

  test('with history: a model (version 1) that predicts with ARIMA; fresh → skipped; forced → version 2', async () => {
    const last = await seedHistory();
    // No body at all: the spec's defaults (scaling_predictor, 168 h, not forced).
    const first = await api.post('/ml/model/retrain', undefined, { token: adminToken });
    assert.equal(first.status, 202, first.text);
    assert.equal(await waitForJob(first.body.job_id), 'succeeded');

    const res = await api.get('/ml/scaling/predictions', { token: user.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.model_version, '1');
    const model = await autoscaleRepo.latestModel(system(), 'worker');
    assert.ok(model);
    assert.equal(model.jobId, first.body.job_id);
    assert.equal(res.body.model_accuracy, model.accuracy);
    assert.ok(model.accuracy > 0 && model.accuracy <= 1, `holdout accuracy ${model.accuracy}`);
    const [p] = res.body.predictions;
    // The live pool: nothing waits now, and jobs take as long as the retrain jobs took.
    const reason =
      /^Arrivals predicted (?:to (?:rise|fall) from 1\.92 jobs\/s to \d+\.\d\d jobs\/s in|steady around \d+\.\d\d jobs\/s over) the next 5m; (\d+) workers? keep the expected queue wait under 5s with 0 waiting and jobs taking \d+\.\d\d s \(ARIMA\(\d,\d,\d\)\)$/;
    assert.match(p.reason, reason, 'the last sample’s rate (1.92/s) against the forecast');
    assert.equal(p.predicted_replicas, Number(reason.exec(p.reason)![1]));
    assert.equal(typeof p.confidence, 'number');
    assert.ok(p.confidence >= 0 && p.confidence <= 1);
    assert.ok(p.predicted_replicas >= 1 && p.predicted_replicas <= 8, `${p.predicted_replicas}`);
    assert.ok(last.sampledAt < Date.parse(res.body.timestamp));

    const skipped = await api.post('/ml/model/retrain', SPEC_RETRAIN, { token: adminToken });
    assert.equal(skipped.status, 200);
    assert.equal(skipped.body.status, 'skipped');
    assert.equal(skipped.body.job_id, first.body.job_id);
    assert.equal(skipped.body.estimated_duration, '0s');
    assert.match(skipped.body.message, /^Model 1 was trained .* ago and is still fresh/);

    const forced = await api.post(
      '/ml/model/retrain',
      { ...SPEC_RETRAIN, force_retrain: true },
      { token: adminToken },
    );
    assert.equal(forced.status, 202);
    assert.notEqual(forced.body.job_id, first.body.job_id);
    assert.match(forced.body.estimated_duration, /^\d+s$/, 'from the last retrain’s duration');
    assert.equal(await waitForJob(forced.body.job_id), 'succeeded');
    const again = await api.get('/ml/scaling/predictions', { token: user.token });
    assert.equal(again.body.model_version, '2');
  });

  test('bad input: wrong types, unknown fields, out-of-range hours, another model type', async () => {
    // The shared matrix, except a literal JSON `null`: the body is optional (a bare POST
    // takes the spec's defaults) and Fastify hands an absent body to validation as null.
    const send = (raw: string, contentType = 'application/json') =>
      request(server.url, 'POST', '/ml/model/retrain', undefined, {
        token: adminToken,
        raw,
        contentType,
      });
    for (const raw of ['{"broken": ', '[1,2,3]', '"just a string"', '42']) {
      assertErrorShape('autoserve', await send(raw), raw);
    }
    for (const [field, value] of Object.entries(SPEC_RETRAIN)) {
      for (const wrong of typeof value === 'string'
        ? [12345, true, { nested: 1 }, ['a']]
        : typeof value === 'number'
          ? ['not-a-number', true, { n: 1 }]
          : ['yes', 1]) {
        const res = await send(JSON.stringify({ ...SPEC_RETRAIN, [field]: wrong }));
        assert.equal(res.status, 400, `${field}: ${JSON.stringify(wrong)} → ${res.status}`);
        assertErrorShape('autoserve', res, field);
      }
    }
    const extra = await send(JSON.stringify({ ...SPEC_RETRAIN, unexpected_field: 'x' }));
    assert.equal(extra.status, 400);
    assert.equal(extra.body.error.details.field, 'unexpected_field');
    const oversized = await send(
      JSON.stringify({ ...SPEC_RETRAIN, padding: 'x'.repeat(BODY_LIMIT + 10) }),
    );
    assert.equal(oversized.status, 413);
    assertErrorShape('autoserve', oversized);
    const plain = await send(JSON.stringify(SPEC_RETRAIN), 'text/plain');
    assert.equal(plain.status, 415);
    assertErrorShape('autoserve', plain);
    assertErrorShape(
      'autoserve',
      await send('a=1&b=2', 'application/x-www-form-urlencoded'),
      'form body',
    );
    for (const body of [
      { training_hours: 0 },
      { training_hours: 169 },
      { training_hours: -5 },
      { training_hours: 1.5 },
      { training_hours: 1e20 },
      { model_type: 'gpt' },
      { force_retrain: 'false' },
    ]) {
      const res = await api.post('/ml/model/retrain', body, { token: adminToken });
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status}`);
      assertErrorShape('autoserve', res);
      assert.equal(res.body.error.code, 'VALIDATION_ERROR');
      assert.equal(res.body.error.details.field, Object.keys(body)[0]);
    }
  });
});

describe('GET /ml/scaling/history', () => {
  test('every decision with the spec’s fields, total_decisions and accuracy_rate', async () => {
    const last = await autoscaleRepo.latestSample(system(), 'worker');
    assert.ok(last);
    await setDesiredWorkers(system(), { workers: 3, reason: 'Load test' });
    const res = await api.get('/ml/scaling/history?hours=24', { token: user.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['accuracy_rate', 'history', 'total_decisions']);
    assert.equal(res.body.total_decisions, 1);
    // 40 of the seeded forecasts have a full horizon behind them; every other one was right.
    assert.equal(res.body.accuracy_rate, 0.5);
    const [entry] = res.body.history;
    assert.deepEqual(Object.keys(entry).sort(), [
      'action',
      'from_replicas',
      'metrics',
      'service',
      'timestamp',
      'to_replicas',
      'trigger',
    ]);
    assert.match(entry.timestamp, ISO);
    assert.equal(entry.service, 'worker');
    assert.equal(entry.action, 'scale_up');
    assert.equal(entry.from_replicas, 1);
    assert.equal(entry.to_replicas, 3);
    assert.equal(entry.trigger, 'manual');
    assert.deepEqual(entry.metrics, {
      cpu_usage: last.cpuUsage,
      memory_usage: last.memoryUsage,
      request_rate: Math.round(last.arrivalRate * 1000) / 1000,
    });
    // The published desired count, for an external scaler.
    const metrics = await api.get('/metrics');
    assert.match(metrics.text, /^tasklane_desired_workers 3$/m);
    // The default window is 24 hours; the longest 168.
    const week = await api.get('/ml/scaling/history?hours=168', { token: user.token });
    assert.equal(week.status, 200);
    assert.equal(week.body.total_decisions, 1);
    const byDefault = await api.get('/ml/scaling/history', { token: user.token });
    assert.equal(byDefault.body.total_decisions, 1);
  });

  test('hours bounds the window: a decision 30 hours old is in hours=48, not in the default 24', async () => {
    const at = Date.now() - 30 * 3600_000;
    await autoscaleRepo.insertDecision(system(), {
      id: uuidv7(at),
      service: 'worker',
      decidedAt: at,
      action: 'scale_down',
      fromReplicas: 4,
      toReplicas: 2,
      trigger: 'ml_prediction',
      reason: 'Arrivals predicted to fall',
      cpuUsage: 12.5,
      memoryUsage: 40,
      requestRate: 0.25,
      queueDepth: 0,
      modelVersion: 1,
      userId: null,
    });
    const day = await api.get('/ml/scaling/history', { token: user.token });
    assert.equal(day.body.total_decisions, 1);
    const twoDays = await api.get('/ml/scaling/history?hours=48', { token: user.token });
    assert.equal(twoDays.body.total_decisions, 2);
    assert.deepEqual(twoDays.body.history[1], {
      timestamp: new Date(at).toISOString(),
      service: 'worker',
      action: 'scale_down',
      from_replicas: 4,
      to_replicas: 2,
      trigger: 'ml_prediction',
      metrics: { cpu_usage: 12.5, memory_usage: 40, request_rate: 0.25 },
    });
  });

  test('401 without a token; hours outside 1–168 or not a whole number is a 400 VALIDATION_ERROR', async () => {
    const anon = await api.get('/ml/scaling/history');
    assert.equal(anon.status, 401);
    assertErrorShape('autoserve', anon);
    for (const hours of ['0', '169', '-1', 'abc', '1.5', '99999999999999999999', '']) {
      const res = await api.get(`/ml/scaling/history?hours=${hours}`, { token: user.token });
      assert.equal(res.status, 400, `hours=${hours} → ${res.status} ${res.text}`);
      assertErrorShape('autoserve', res);
      assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    }
    const extra = await api.get('/ml/scaling/history?hours=2&service=backend', {
      token: user.token,
    });
    assert.equal(extra.status, 400, 'an unknown parameter is refused, not ignored');
    assertErrorShape('autoserve', extra);
  });
});

test('the OpenAPI document of the surface describes the three ML routes with their schemas', async () => {
  const res = await api.get('/openapi/autoserve.json');
  assert.equal(res.status, 200);
  const paths = res.body.paths as Record<string, Record<string, any>>;
  assert.ok(paths['/ml/scaling/predictions']?.get?.responses?.['200']);
  assert.ok(paths['/ml/scaling/history']?.get?.parameters?.some((p: any) => p.name === 'hours'));
  assert.ok(paths['/ml/model/retrain']?.post?.requestBody);
  assert.ok(paths['/ml/model/retrain']?.post?.responses?.['202']);
});
