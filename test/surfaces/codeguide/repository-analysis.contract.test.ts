/**
 * CodeGuide repository analysis (spec §7) through the real server over HTTP, against
 * real git repositories served by `git http-backend` on loopback (opened narrowly with
 * TASKLANE_GIT_ALLOW_NETWORKS=127.0.0.1/32) and the LLM fixture: exact statistics of a
 * repository with known content, the summary through the metered model call, status,
 * progress and result field by field, documents and a codespace task for a project,
 * repositories (pagination, detail, delete, isolation), bad input, clones refused by
 * the SSRF guard ending the task as failed, committed symlinks never followed, the
 * temporary clone always removed, and a restart mid-analysis resuming without cloning
 * again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type GitServer, startGitServer } from '../../helpers/git-server.ts';
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
  waitFor,
} from './support.ts';

const GIT_ENV = { TASKLANE_GIT_ALLOW_NETWORKS: '127.0.0.1/32', TASKLANE_LLM_MAX_RETRIES: '0' };
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Known content: every figure below is counted by hand.
const PY = `${'a = 1\n'.repeat(205)}b=2\n`; // 1234 bytes, 206 lines
const TS = `${'export const a = 1;\n'.repeat(28)}let b;\n`; // 567 bytes, 29 lines
const PACKAGE = `${JSON.stringify(
  {
    name: 'demo',
    dependencies: { express: '^4.18.2' },
    devDependencies: { typescript: '^5.4.0' },
  },
  null,
  2,
)}\n`;
const REQUIREMENTS = 'flask==3.0.0\nrequests>=2.31  # HTTP\n# a comment\n-r other.txt\nnumpy\n';
const README = '# Demo\n\nA demo repository for the analysis test.\n';
const PASSWD = fs.readFileSync('/etc/passwd', 'utf8');

let env: CgEnv;
let user: CgUser;
let git: GitServer;
let other: GitServer;
let demoUrl: string;

before(async () => {
  git = await startGitServer();
  other = await startGitServer({ host: '127.0.0.2' });
  demoUrl = git.createRepository('demo', {
    'app.py': PY,
    'web/index.ts': TS,
    'package.json': PACKAGE,
    'requirements.txt': REQUIREMENTS,
    'README.md': README,
    // Links to a host file, under names the analysis reads (README, a manifest): a
    // reader that followed them would put /etc/passwd into the prompt or the figures.
    secret: { symlink: '/etc/passwd' },
    README: { symlink: '/etc/passwd' },
    'requirements-dev.txt': { symlink: '/etc/passwd' },
  });
  for (const name of ['alpha', 'beta', 'gamma'])
    git.createRepository(name, { 'main.go': `package main\n// ${name}\n` });
  other.createRepository('demo', { 'x.py': 'print(1)\n' });
  env = await startCodeGuide({ workers: 2, env: GIT_ENV });
  user = await registerUser(env.api, 'ra');
});
after(async () => {
  await env?.close();
  await git?.close();
  await other?.close();
});

const lines = (text: string) => text.split('\n').length - 1;
const bytes = (text: string) => Buffer.byteLength(text);

async function analyze(body: Record<string, unknown>, owner = user, api = env.api) {
  const res = await api.post('/v1/repository-analysis/analyze', body, owner.auth);
  assert.equal(res.status, 200, res.text);
  return res.body.task_id as string;
}

const finished = (taskId: string, api = env.api) =>
  waitFor(`analysis ${taskId}`, async () => {
    const res = await api.get(`/v1/repository-analysis/tasks/${taskId}`);
    return ['completed', 'failed'].includes(res.body.status) ? res : undefined;
  });

async function resultOf(taskId: string, api = env.api) {
  await finished(taskId, api);
  const res = await api.get(`/v1/repository-analysis/tasks/${taskId}/result`);
  assert.equal(res.status, 200, res.text);
  return res;
}

async function newProject(owner = user) {
  const res = await env.api.post(
    '/v1/projects',
    { title: 'Demo app', description: 'An app built from the demo repository' },
    owner.auth,
  );
  assert.equal(res.status, 201, res.text);
  return res.body.data.id as string;
}

test('analyze: started, then exact statistics, the summary, and the result field by field', async () => {
  const started = await env.api.post(
    '/v1/repository-analysis/analyze',
    { repository_url: demoUrl },
    user.auth,
  );
  assert.equal(started.status, 200, started.text);
  assert.deepEqual(Object.keys(started.body).sort(), ['message', 'status', 'task_id']);
  assert.match(started.body.task_id, UUID4, 'a random (v4) UUID: unguessable');
  assert.equal(started.body.status, 'pending');
  assert.equal(started.body.message, 'Repository analysis started');
  const taskId = started.body.task_id;

  // The status needs no credentials (spec: "Headers: None required").
  const status = await finished(taskId);
  assert.equal(status.status, 200);
  assert.deepEqual(Object.keys(status.body).sort(), ['message', 'progress', 'status', 'task_id']);
  assert.deepEqual(status.body, {
    task_id: taskId,
    status: 'completed',
    message: 'Repository analysis completed',
    progress: 100,
  });

  const res = await resultOf(taskId);
  assert.deepEqual(Object.keys(res.body).sort(), ['result', 'status', 'task_id']);
  assert.equal(res.body.task_id, taskId);
  assert.equal(res.body.status, 'completed');
  const result = res.body.result;
  assert.deepEqual(Object.keys(result).sort(), [
    'codespace_task_id',
    'documents',
    'repository',
    'statistics',
    'summary',
    'warnings',
  ]);
  assert.deepEqual(result.documents, []);
  assert.equal(result.codespace_task_id, null);
  assert.deepEqual(result.warnings, []);

  const repo = result.repository;
  assert.deepEqual(Object.keys(repo).sort(), [
    'branch',
    'commit',
    'created_at',
    'id',
    'name',
    'repository_url',
    'updated_at',
    'user_id',
  ]);
  assert.equal(repo.repository_url, demoUrl);
  assert.equal(repo.name, 'demo');
  assert.equal(repo.user_id, user.uuid);
  assert.equal(repo.branch, 'main');
  assert.match(repo.commit, /^[0-9a-f]{40}$/);
  assert.match(repo.created_at, ISO);
  assert.match(repo.updated_at, ISO);

  const stats = result.statistics;
  const textFiles = [PY, TS, PACKAGE, REQUIREMENTS, README];
  assert.equal(stats.file_count, 5);
  assert.equal(stats.directory_count, 1);
  assert.equal(stats.symlink_count, 3);
  assert.equal(stats.binary_file_count, 0);
  assert.equal(
    stats.total_bytes,
    textFiles.reduce((sum, f) => sum + bytes(f), 0),
  );
  assert.equal(stats.line_count, 206 + 29 + lines(PACKAGE) + 5 + 3);
  assert.equal(bytes(PY), 1234);
  assert.equal(bytes(TS), 567);
  // GitHub's language bar: programming and markup languages only; README is documentation.
  assert.deepEqual(stats.languages, { Python: 1234, TypeScript: 567 });
  assert.equal(stats.primary_language, 'Python');
  const detected = bytes(PY) + bytes(TS) + bytes(PACKAGE) + bytes(REQUIREMENTS);
  const pct = (n: number) => Math.round((n / detected) * 10_000) / 100;
  assert.deepEqual(
    stats.language_breakdown,
    [
      {
        name: 'Python',
        type: 'programming',
        bytes: 1234,
        files: 1,
        lines: 206,
        percentage: pct(1234),
      },
      {
        name: 'TypeScript',
        type: 'programming',
        bytes: 567,
        files: 1,
        lines: 29,
        percentage: pct(567),
      },
      {
        name: 'JSON',
        type: 'data',
        bytes: bytes(PACKAGE),
        files: 1,
        lines: lines(PACKAGE),
        percentage: pct(bytes(PACKAGE)),
      },
      {
        name: 'Pip Requirements',
        type: 'data',
        bytes: bytes(REQUIREMENTS),
        files: 1,
        lines: 5,
        percentage: pct(bytes(REQUIREMENTS)),
      },
    ].sort((a, b) => b.bytes - a.bytes),
  );
  assert.deepEqual(stats.dependencies, [
    {
      path: 'package.json',
      ecosystem: 'npm',
      dependencies: [
        { name: 'express', version: '^4.18.2', type: 'runtime' },
        { name: 'typescript', version: '^5.4.0', type: 'dev' },
      ],
    },
    {
      path: 'requirements.txt',
      ecosystem: 'pypi',
      dependencies: [
        { name: 'flask', version: '==3.0.0', type: 'runtime' },
        { name: 'requests', version: '>=2.31', type: 'runtime' },
        { name: 'numpy', version: null, type: 'runtime' },
      ],
    },
  ]);
  assert.equal(stats.dependency_count, 5);
  assert.deepEqual(stats.layout, [
    { name: 'README', type: 'symlink' },
    { name: 'README.md', type: 'file' },
    { name: 'app.py', type: 'file' },
    { name: 'package.json', type: 'file' },
    { name: 'requirements-dev.txt', type: 'symlink' },
    { name: 'requirements.txt', type: 'file' },
    { name: 'secret', type: 'symlink' },
    { name: 'web', type: 'directory' },
  ]);
  assert.equal(stats.truncated, false);

  // The summary is the model's answer (the fixture echoes the prompt it was given):
  // the measured facts and the README reached it.
  const call = env.fixture.requests.find((r) => JSON.stringify(r.messages).includes(demoUrl))!;
  assert.ok(call, 'the model was asked');
  const prompt = JSON.stringify(call.messages);
  assert.match(prompt, /senior software engineer reviewing a code repository/);
  assert.match(prompt, /Python \d+(\.\d+)?% \(1234 bytes, programming\)/);
  assert.match(prompt, /express, typescript \[dev\]/);
  assert.match(prompt, /A demo repository for the analysis test/);
  assert.match(result.summary, /^You said: Repository: /);
  // Metered in the one ledger, like /generate.
  const ledger = await env.server.runtime.database.db
    .selectFrom('usage_records')
    .selectAll()
    .where('user_id', '=', user.id)
    .execute();
  assert.equal(ledger.length, 1);
  assert.equal(ledger[0]!.kind, 'llm');
  assert.ok(Number(ledger[0]!.cost_micro_usd) > 0);

  // The symlink to /etc/passwd was listed, never followed: its content is nowhere.
  const passwdLine = PASSWD.split('\n').find((l) => l.startsWith('root:'))!;
  assert.ok(!res.text.includes(passwdLine));
  assert.ok(!JSON.stringify(env.fixture.requests).includes(passwdLine));

  // The temporary clone is gone.
  const clones = path.join(env.server.env.TASKLANE_DATA_DIR!, 'tmp', 'repository-analysis');
  assert.deepEqual(fs.readdirSync(clones), []);
});

test('progress while running; the result is null until the task completes', async () => {
  env.fixture.delayFor = (r) => (JSON.stringify(r.messages).includes('/alpha.git') ? 1500 : 0);
  try {
    const taskId = await analyze({ repository_url: git.repoUrl('alpha') });
    const midway = await waitFor('the summary under way', async () => {
      const res = await env.api.get(`/v1/repository-analysis/tasks/${taskId}`);
      return res.body.progress === 60 ? res : undefined;
    });
    assert.deepEqual(midway.body, {
      task_id: taskId,
      status: 'running',
      message: 'Writing the summary',
      progress: 60,
    });
    const early = await env.api.get(`/v1/repository-analysis/tasks/${taskId}/result`);
    assert.equal(early.status, 200);
    assert.deepEqual(early.body, { task_id: taskId, status: 'running', result: null });
    const done = await resultOf(taskId);
    assert.equal(done.body.status, 'completed');
    assert.deepEqual(done.body.result.statistics.languages, {
      Go: bytes('package main\n// alpha\n'),
    });
  } finally {
    env.fixture.delayFor = undefined;
  }
});

test('a summary the model cannot write leaves a completed analysis with a warning', async () => {
  const owner = await registerUser(env.api, 'rawarn');
  env.fixture.failWhen = (r) => JSON.stringify(r.messages).includes('/gamma.git');
  try {
    const res = await resultOf(await analyze({ repository_url: git.repoUrl('gamma') }, owner));
    assert.equal(res.body.status, 'completed', res.text);
    assert.equal(res.body.result.summary, null);
    assert.equal(res.body.result.warnings.length, 1);
    assert.match(res.body.result.warnings[0], /^summary: .*refused on purpose/);
    assert.deepEqual(res.body.result.statistics.languages, {
      Go: bytes('package main\n// gamma\n'),
    });
    const status = await env.api.get(`/v1/repository-analysis/tasks/${res.body.task_id}`);
    assert.match(status.body.message, /^Repository analysis completed with warnings: summary: /);
    assert.equal(status.body.progress, 100);
  } finally {
    env.fixture.failWhen = undefined;
  }
});

test('repositories: list with skip/limit, detail, re-analysis updates, delete, isolation', async () => {
  const owner = await registerUser(env.api, 'ralist');
  const ids: string[] = [];
  for (const name of ['alpha', 'beta', 'gamma']) {
    const res = await resultOf(await analyze({ repository_url: git.repoUrl(name) }, owner));
    ids.push(res.body.result.repository.id);
  }
  const page = await env.api.get('/v1/repository-analysis/repositories', owner.auth);
  assert.equal(page.status, 200, page.text);
  assert.deepEqual(Object.keys(page.body).sort(), ['repositories', 'total']);
  assert.equal(page.body.total, 3);
  assert.deepEqual(
    page.body.repositories.map((r: any) => r.id),
    [...ids].reverse(),
    'newest first',
  );
  const item = page.body.repositories[0];
  assert.deepEqual(Object.keys(item).sort(), [
    'created_at',
    'id',
    'name',
    'repository_url',
    'updated_at',
    'user_id',
  ]);
  assert.equal(item.repository_url, git.repoUrl('gamma'));
  assert.equal(item.user_id, owner.uuid);
  const second = await env.api.get(
    '/v1/repository-analysis/repositories?skip=1&limit=1',
    owner.auth,
  );
  assert.deepEqual(
    second.body.repositories.map((r: any) => r.id),
    [ids[1]],
  );
  assert.equal(second.body.total, 3);

  const detail = await env.api.get(`/v1/repository-analysis/repositories/${ids[0]}`, owner.auth);
  assert.equal(detail.status, 200, detail.text);
  assert.deepEqual(Object.keys(detail.body).sort(), [
    'analysis_results',
    'created_at',
    'id',
    'name',
    'repository_url',
    'updated_at',
    'user_id',
  ]);
  assert.equal(detail.body.name, 'alpha');
  const analysis = detail.body.analysis_results;
  assert.match(analysis.task_id, UUID4);
  assert.match(analysis.analyzed_at, ISO);
  assert.equal(analysis.branch, 'main');
  assert.deepEqual(analysis.statistics.languages, { Go: bytes('package main\n// alpha\n') });

  // Analysing the same URL again updates the same repository.
  const again = await resultOf(await analyze({ repository_url: git.repoUrl('alpha') }, owner));
  assert.equal(again.body.result.repository.id, ids[0]);
  const after = await env.api.get(`/v1/repository-analysis/repositories/${ids[0]}`, owner.auth);
  assert.equal(after.body.analysis_results.task_id, again.body.task_id);
  assert.equal(
    (await env.api.get('/v1/repository-analysis/repositories', owner.auth)).body.total,
    3,
  );

  // Another user sees none of it.
  const stranger = await registerUser(env.api, 'rastranger');
  const theirs = await env.api.get('/v1/repository-analysis/repositories', stranger.auth);
  assert.deepEqual(theirs.body, { repositories: [], total: 0 });
  for (const id of [ids[0], MISSING_ID, 'not-a-uuid']) {
    assertError(
      await env.api.get(`/v1/repository-analysis/repositories/${id}`, stranger.auth),
      404,
      /Repository not found/,
    );
    assertError(
      await env.api.delete(`/v1/repository-analysis/repositories/${id}`, stranger.auth),
      404,
    );
  }

  const deleted = await env.api.delete(
    `/v1/repository-analysis/repositories/${ids[0]}`,
    owner.auth,
  );
  assert.equal(deleted.status, 200, deleted.text);
  assert.deepEqual(deleted.body, { status: 'success', message: 'Repository deleted successfully' });
  assertError(await env.api.get(`/v1/repository-analysis/repositories/${ids[0]}`, owner.auth), 404);
  // Its analyses went with it: their results are no longer readable by task id.
  assertError(await env.api.get(`/v1/repository-analysis/tasks/${again.body.task_id}`), 404);
  assert.equal(
    (await env.api.get('/v1/repository-analysis/repositories', owner.auth)).body.total,
    2,
  );

  // Credentials are needed for the repositories; a bad page is a 422.
  assertError(await env.api.get('/v1/repository-analysis/repositories'), 401);
  assertError(await env.api.get(`/v1/repository-analysis/repositories/${ids[1]}`), 401);
  assertError(await env.api.delete(`/v1/repository-analysis/repositories/${ids[1]}`), 401);
  for (const query of ['limit=101', 'limit=0', 'skip=-1', 'limit=abc'])
    assertError(
      await env.api.get(`/v1/repository-analysis/repositories?${query}`, owner.auth),
      422,
    );
});

test('generate_documents and create_codespace_task, for the caller’s project', async () => {
  const projectId = await newProject();
  const before = (await env.api.get('/v1/codespace/tasks', user.auth)).body.data.length;
  const taskId = await analyze({
    repository_url: demoUrl,
    generate_documents: true,
    create_codespace_task: true,
    project_id: projectId,
  });
  const res = await resultOf(taskId);
  assert.equal(res.body.status, 'completed', res.text);
  const result = res.body.result;
  assert.deepEqual(result.warnings, []);
  const types = (await env.api.get('/v1/document-types', user.auth)).body.data.map(
    (t: any) => t.key,
  );
  const project = (await env.api.get(`/v1/projects/${projectId}`, user.auth)).body.data;
  const stored = Object.fromEntries(
    project.project_documents.map((d: any) => [d.document_type, d.id]),
  );
  assert.deepEqual(
    result.documents,
    types.map((type: string) => ({
      document_type: type,
      status: 'completed',
      document_id: stored[type],
    })),
  );
  // The documents were written knowing the repository's summary.
  const docCall = env.fixture.requests.find(
    (r) =>
      JSON.stringify(r.messages).includes('Write the Project Requirements Document') &&
      JSON.stringify(r.messages).includes(demoUrl),
  );
  assert.ok(docCall, 'the PRD prompt named the repository');

  const codespace = await env.api.get(`/v1/codespace/tasks/${result.codespace_task_id}`, user.auth);
  assert.equal(codespace.status, 200, codespace.text);
  assert.equal(codespace.body.repository_url, demoUrl);
  assert.equal(codespace.body.project_id, projectId);
  // Created and queued: this server's workers may already be running it.
  assert.ok(
    ['pending', 'running', 'completed'].includes(codespace.body.status),
    codespace.body.status,
  );
  assert.equal((await env.api.get('/v1/codespace/tasks', user.auth)).body.data.length, before + 1);
  // It runs (its agent calls the model): let it finish before the next test counts calls.
  await waitFor('the codespace task to finish', async () => {
    const res = await env.api.get(`/v1/codespace/tasks/${result.codespace_task_id}`, user.auth);
    return ['completed', 'failed', 'cancelled'].includes(res.body.status) ? true : undefined;
  });
});

test('bad input is a 4xx {detail} at once, and nothing is started', async () => {
  const projectId = await newProject();
  const stranger = await registerUser(env.api, 'rabad');
  const strangersProject = await newProject(stranger);
  const calls = env.fixture.requests.length;
  const cases: [Record<string, unknown>, number, RegExp][] = [
    [{ repository_url: 'file:///etc/passwd' }, 422, /repository_url: only http\(s\) repositories/],
    [
      { repository_url: 'ssh://git@github.com/acme/app.git' },
      422,
      /repository_url: only http\(s\)/,
    ],
    [{ repository_url: 'git://github.com/acme/app.git' }, 422, /repository_url: only http\(s\)/],
    [{ repository_url: 'git@github.com:acme/app.git' }, 422, /repository_url: scp-style/],
    [
      { repository_url: 'https://user:pass@github.com/acme/app.git' },
      422,
      /must not contain credentials/,
    ],
    [
      { repository_url: 'https://ghp_token@github.com/acme/app.git' },
      422,
      /must not contain credentials/,
    ],
    [{ repository_url: 'not a url' }, 422, /repository_url: must be an absolute http\(s\) URL/],
    [{ repository_url: '' }, 422, /repository_url/],
    [{ repository_url: demoUrl, generate_documents: true }, 422, /project_id is required/],
    [{ repository_url: demoUrl, create_codespace_task: true }, 422, /project_id is required/],
    [{ repository_url: demoUrl, project_id: MISSING_ID }, 404, /Project not found/],
    [{ repository_url: demoUrl, project_id: 'nope' }, 404, /Project not found/],
    [{ repository_url: demoUrl, project_id: strangersProject }, 404, /Project not found/],
    [
      { repository_url: demoUrl, generate_documents: 'yes', project_id: projectId },
      422,
      /generate_documents/,
    ],
    [{ repository_url: 42 }, 422, /repository_url/],
    [{ repository_url: demoUrl, extra: 1 }, 422, /extra/],
    [{}, 422, /repository_url/],
  ];
  for (const [body, status, detail] of cases)
    assertError(
      await env.api.post('/v1/repository-analysis/analyze', body, user.auth),
      status,
      detail,
    );
  const raw = await env.api.post('/v1/repository-analysis/analyze', undefined, {
    ...user.auth,
    raw: '{"repository_url": ',
    contentType: 'application/json',
  });
  assert.ok(raw.status >= 400 && raw.status < 500, raw.text);
  assert.deepEqual(Object.keys(raw.body), ['detail']);
  assertError(
    await env.api.post('/v1/repository-analysis/analyze', { repository_url: demoUrl }),
    401,
  );
  for (const id of [MISSING_ID, 'not-a-uuid', "1' or '1'='1"]) {
    assertError(
      await env.api.get(`/v1/repository-analysis/tasks/${encodeURIComponent(id)}`),
      404,
      /Task not found/,
    );
    assertError(
      await env.api.get(`/v1/repository-analysis/tasks/${encodeURIComponent(id)}/result`),
      404,
    );
  }
  assert.equal(env.fixture.requests.length, calls, 'nothing reached the model');
  const tasks = await env.server.runtime.database.db
    .selectFrom('repository_analysis_tasks')
    .select('id')
    .where('user_id', '=', stranger.id)
    .execute();
  assert.deepEqual(tasks, []);
});

test('a clone the SSRF guard refuses ends the task as failed, saying why', async () => {
  const before = other.requests.length;
  // Another loopback address: not in TASKLANE_GIT_ALLOW_NETWORKS.
  const direct = await resultOf(await analyze({ repository_url: other.repoUrl('demo') }));
  assert.equal(direct.body.status, 'failed');
  assert.equal(direct.body.result, null);
  assert.match(
    direct.body.error,
    /127\.0\.0\.2 is a loopback address; non-public addresses are refused/,
  );
  const status = await env.api.get(`/v1/repository-analysis/tasks/${direct.body.task_id}`);
  assert.equal(status.body.status, 'failed');
  assert.match(
    status.body.message,
    /^Repository analysis failed: .*127\.0\.0\.2 is a loopback address/,
  );

  // A redirect to the cloud metadata address is re-checked and refused too.
  git.redirect = (p) =>
    p.startsWith('/moved.git/') ? 'http://169.254.169.254/latest/meta-data' : undefined;
  try {
    const redirected = await resultOf(await analyze({ repository_url: git.repoUrl('moved') }));
    assert.equal(redirected.body.status, 'failed');
    assert.match(
      redirected.body.error,
      /redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data was refused: 169\.254\.169\.254 is a linkLocal address/,
    );
  } finally {
    git.redirect = undefined;
  }
  // A repository that does not exist.
  const missing = await resultOf(await analyze({ repository_url: git.repoUrl('missing') }));
  assert.equal(missing.body.status, 'failed');
  assert.match(
    missing.body.error,
    /no public repository at .*missing\.git \(the server answered HTTP 404\)/,
  );
  assert.equal(other.requests.length, before, 'nothing reached the refused address');
  const clones = path.join(env.server.env.TASKLANE_DATA_DIR!, 'tmp', 'repository-analysis');
  assert.deepEqual(fs.readdirSync(clones), []);
});

test('a restart mid-analysis: the next server finishes it without cloning again', async () => {
  const first = await startCodeGuide({ workers: 1, env: GIT_ENV });
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  const isSummary = (r: { messages: unknown[] }) =>
    JSON.stringify(r.messages).includes('/beta.git');
  try {
    const owner = await registerUser(first.api, 'rarestart');
    first.fixture.delayFor = (r) => (isSummary(r) ? 120_000 : 0);
    const clonesBefore = git.requests.filter((r) => r.path === '/beta.git/git-upload-pack').length;
    const taskId = await analyze({ repository_url: git.repoUrl('beta') }, owner, first.api);
    await waitFor('the summary under way', async () => {
      const res = await first.api.get(`/v1/repository-analysis/tasks/${taskId}`);
      return res.body.progress === 60 && first.fixture.requests.some(isSummary) ? res : undefined;
    });
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
    const done = await resultOf(taskId, api);
    assert.equal(done.body.status, 'completed', done.text);
    assert.deepEqual(done.body.result.statistics.languages, {
      Go: bytes('package main\n// beta\n'),
    });
    const clones = git.requests.filter((r) => r.path === '/beta.git/git-upload-pack').length;
    assert.equal(clones - clonesBefore, 1, 'cloned once: the statistics were kept');
    const rows = await second.runtime.database.db
      .selectFrom('usage_records')
      .selectAll()
      .where('user_id', '=', owner.id)
      .execute();
    assert.equal(rows.length, 1, 'one summary booked');
  } finally {
    first.fixture.delayFor = undefined;
    await second?.close();
    await first.fixture.close();
    await first.server.close().catch(() => undefined);
  }
});
