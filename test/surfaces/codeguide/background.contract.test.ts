/**
 * Background generation: POST /generate/background answers `{job_id, status, message}`,
 * the status endpoint reports `status`, `progress` per document type and `results`
 * (owner only), the documents land on the project, the outbox turns the end into a
 * notification (GET /notifications, PUT …/read) — and a server restart before a
 * worker ran the job loses nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client } from '../../helpers/http.ts';
import { startServer } from '../../helpers/server.ts';
import {
  assertError,
  type CgEnv,
  type CgUser,
  ISO,
  MISSING_ID,
  registerUser,
  startCodeGuide,
  UUID,
  waitFor,
} from './support.ts';

let env: CgEnv;
let user: CgUser;

before(async () => {
  env = await startCodeGuide({ workers: 2, env: { TASKLANE_LLM_MAX_RETRIES: '0' } });
  user = await registerUser(env.api);
});
after(() => env?.close());

async function newProject(api = env.api, owner = user) {
  const res = await api.post(
    '/v1/projects',
    {
      title: 'Bakery',
      description: 'A marketplace for bakers',
      tools_selected: ['cursor'],
      ai_questionaire: { 'Who uses it?': 'Bakers' },
    },
    owner.auth,
  );
  assert.equal(res.status, 201, res.text);
  return res.body.data.id as string;
}

const finished = (api: typeof env.api, jobId: string, owner: CgUser) =>
  waitFor(`job ${jobId}`, async () => {
    const res = await api.get(`/v1/generate/background/${jobId}/status`, owner.auth);
    return ['completed', 'failed'].includes(res.body.status) ? res : undefined;
  });

test('background: started, progress per type, results, documents stored, notification', async () => {
  const projectId = await newProject();
  const started = await env.api.post(
    '/v1/generate/background',
    { project_id: projectId, document_types: ['prd', 'app_flow'] },
    user.auth,
  );
  assert.equal(started.status, 200, started.text);
  assert.deepEqual(Object.keys(started.body).sort(), ['job_id', 'message', 'status']);
  assert.match(started.body.job_id, UUID);
  assert.equal(started.body.status, 'pending');
  assert.match(started.body.message, /2 document types/);

  const done = await finished(env.api, started.body.job_id, user);
  assert.equal(done.status, 200);
  assert.deepEqual(Object.keys(done.body).sort(), ['job_id', 'progress', 'results', 'status']);
  assert.equal(done.body.job_id, started.body.job_id);
  assert.equal(done.body.status, 'completed', done.text);
  assert.deepEqual(done.body.progress, { prd: 'completed', app_flow: 'completed' });
  const project = (await env.api.get(`/v1/projects/${projectId}`, user.auth)).body.data;
  const docs = Object.fromEntries(
    project.project_documents.map((d: any) => [d.document_type, d.id]),
  );
  assert.deepEqual(done.body.results, {
    prd: { status: 'completed', document_id: docs.prd },
    app_flow: { status: 'completed', document_id: docs.app_flow },
  });
  // The project's own description and questionnaire reached the model.
  assert.ok(
    env.fixture.requests.some((r) => JSON.stringify(r.messages).includes('Who uses it?: Bakers')),
  );

  const notes = await waitFor('a notification', async () => {
    const res = await env.api.get('/v1/notifications', user.auth);
    return res.body.data.length > 0 ? res : undefined;
  });
  assert.deepEqual(Object.keys(notes.body), ['status', 'data']);
  const note = notes.body.data[0];
  assert.deepEqual(Object.keys(note).sort(), [
    'created_at',
    'id',
    'is_read',
    'message',
    'title',
    'type',
    'user_id',
  ]);
  assert.equal(note.type, 'document_generation.completed');
  assert.equal(note.user_id, user.uuid);
  assert.equal(note.is_read, false);
  assert.match(note.created_at, ISO);
  assert.match(note.message, /prd, app_flow|app_flow, prd/);

  const other = await registerUser(env.api, 'other');
  assertError(
    await env.api.get(`/v1/generate/background/${started.body.job_id}/status`, other.auth),
    404,
  );
  assertError(await env.api.put(`/v1/notifications/${note.id}/read`, undefined, other.auth), 404);
  assert.deepEqual((await env.api.get('/v1/notifications', other.auth)).body.data, []);
  assertError(
    await env.api.post('/v1/generate/background', { project_id: projectId }, other.auth),
    404,
  );

  const read = await env.api.put(`/v1/notifications/${note.id}/read`, undefined, user.auth);
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.body, { status: 'success', message: 'Notification marked as read' });
  const unread = await env.api.get('/v1/notifications?unread_only=true', user.auth);
  assert.ok(!unread.body.data.some((n: any) => n.id === note.id));
  const all = await env.api.get('/v1/notifications?limit=1', user.auth);
  assert.equal(all.body.data.length, 1);
  assert.equal(all.body.data[0].is_read, true);
  assertError(await env.api.put(`/v1/notifications/${MISSING_ID}/read`, undefined, user.auth), 404);
  assertError(await env.api.get('/v1/notifications?limit=0', user.auth), 422);
  assertError(await env.api.get('/v1/notifications?unread_only=maybe', user.auth), 422);
});

test('background: all active types by default; a failing type is reported, the rest kept', async () => {
  const projectId = await newProject();
  env.fixture.failWhen = (r) => JSON.stringify(r.messages).includes('Write the Tech Stack');
  try {
    const started = await env.api.post(
      '/v1/generate/background',
      { project_id: projectId },
      user.auth,
    );
    assert.equal(started.status, 200, started.text);
    const done = await finished(env.api, started.body.job_id, user);
    const types = (await env.api.get('/v1/document-types', user.auth)).body.data.map(
      (t: any) => t.key,
    );
    assert.deepEqual(Object.keys(done.body.progress).sort(), [...types].sort());
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.progress.tech_stack, 'failed');
    assert.equal(done.body.results.tech_stack.status, 'failed');
    assert.match(done.body.error, /tech_stack/);
    for (const type of types.filter((t: string) => t !== 'tech_stack'))
      assert.equal(done.body.progress[type], 'completed', type);
  } finally {
    env.fixture.failWhen = undefined;
  }
  assertError(
    await env.api.post(
      '/v1/generate/background',
      { project_id: projectId, document_types: ['sonnets'] },
      user.auth,
    ),
    422,
    /sonnets/,
  );
  assertError(await env.api.get('/v1/generate/background/nope/status', user.auth), 404);
  assertError(await env.api.get(`/v1/generate/background/${MISSING_ID}/status`, user.auth), 404);
});

test('a restart before the job ran loses nothing: another server finishes it', async () => {
  const first = await startCodeGuide({ workers: 0 });
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const owner = await registerUser(first.api);
    const projectId = await newProject(first.api, owner);
    const started = await first.api.post(
      '/v1/generate/background',
      { project_id: projectId, document_types: ['prd'] },
      owner.auth,
    );
    assert.equal(started.status, 200, started.text);
    const shared = {
      databaseUrl: first.server.env.TASKLANE_DATABASE_URL!,
      dataDir: first.server.env.TASKLANE_DATA_DIR!,
    };
    // Stop the first server (its database stays), start another on the same database.
    await first.server.built.app.close();
    await first.server.runtime.close();
    second = await startServer({
      workers: 2,
      shared,
      env: Object.fromEntries(
        Object.entries(first.server.env).filter(([k]) => !k.startsWith('TASKLANE_REDIS_PREFIX')),
      ),
    });
    const api = client(second.url);
    const done = await finished(api, started.body.job_id, owner);
    assert.equal(done.body.status, 'completed', done.text);
    assert.deepEqual(done.body.progress, { prd: 'completed' });
    const project = (await api.get(`/v1/projects/${projectId}`, owner.auth)).body.data;
    assert.deepEqual(
      project.project_documents.map((d: any) => d.document_type),
      ['prd'],
    );
  } finally {
    await second?.close();
    await first.fixture.close();
    // The first server's database is dropped with it.
    await first.server.close().catch(() => undefined);
  }
});

test('a restart in the middle of a job: the next server finishes it, nothing done twice', async () => {
  const first = await startCodeGuide({ workers: 1, env: { TASKLANE_CODEGUIDE_CONCURRENCY: '1' } });
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  const isPrd = (r: { messages: unknown[] }) =>
    JSON.stringify(r.messages).includes('Write the Project Requirements Document');
  const isTechStack = (r: { messages: unknown[] }) =>
    JSON.stringify(r.messages).includes('Write the Tech Stack');
  try {
    const owner = await registerUser(first.api);
    const projectId = await newProject(first.api, owner);
    first.fixture.delayFor = (r) => (isTechStack(r) ? 120_000 : 0);
    const started = await first.api.post(
      '/v1/generate/background',
      { project_id: projectId, document_types: ['prd', 'tech_stack'] },
      owner.auth,
    );
    assert.equal(started.status, 200, started.text);
    const midway = await waitFor('prd done, tech_stack under way', async () => {
      const res = await first.api.get(
        `/v1/generate/background/${started.body.job_id}/status`,
        owner.auth,
      );
      return res.body.progress.tech_stack === 'generating' &&
        first.fixture.requests.some(isTechStack)
        ? res
        : undefined;
    });
    assert.equal(midway.body.status, 'running');
    assert.equal(midway.body.progress.prd, 'completed');

    // Shut the first server down mid-call: its worker releases the job.
    await first.server.worker!.stop(200);
    await first.server.built.app.close();
    await first.server.runtime.close();
    first.fixture.delayFor = undefined;

    second = await startServer({
      workers: 1,
      shared: {
        databaseUrl: first.server.env.TASKLANE_DATABASE_URL!,
        dataDir: first.server.env.TASKLANE_DATA_DIR!,
      },
      env: Object.fromEntries(
        Object.entries(first.server.env).filter(([k]) => k !== 'TASKLANE_REDIS_PREFIX'),
      ),
    });
    const api = client(second.url);
    const done = await finished(api, started.body.job_id, owner);
    assert.equal(done.body.status, 'completed', done.text);
    assert.deepEqual(done.body.progress, { prd: 'completed', tech_stack: 'completed' });
    // The PRD was written once, not again after the restart.
    assert.equal(first.fixture.requests.filter(isPrd).length, 1);
    const project = (await api.get(`/v1/projects/${projectId}`, owner.auth)).body.data;
    assert.deepEqual(project.project_documents.map((d: any) => d.document_type).sort(), [
      'prd',
      'tech_stack',
    ]);
    // One ledger row per finished call: the aborted call released its hold.
    const rows = await second.runtime.database.db
      .selectFrom('usage_records')
      .selectAll()
      .where('user_id', '=', owner.id)
      .execute();
    assert.equal(rows.length, 2);
    const account = await second.runtime.database.db
      .selectFrom('credit_accounts')
      .selectAll()
      .where('user_id', '=', owner.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(account.reserved_micro_usd), 0);
  } finally {
    first.fixture.delayFor = undefined;
    await second?.close();
    await first.fixture.close();
    await first.server.close().catch(() => undefined);
  }
});
