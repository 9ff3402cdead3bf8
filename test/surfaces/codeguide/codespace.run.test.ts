/**
 * Codespace tasks really run: the worker clones a real repository (served on loopback by
 * `git http-backend`), the agent (the OpenAI-compatible fixture) edits a file in the
 * sandbox, and the task ends `completed` with a diff that applies with `git apply` on a
 * fresh clone, a bundle holding the commit on its new branch, a summary and the steps.
 * Cancelling a running task stops it; a clone the SSRF guard refuses fails the task
 * with a clear message.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { probeBwrap } from '../../../src/core/execution/sandbox/bwrap.ts';
import { type CoolifyStandin, startCoolifyStandin } from '../../helpers/coolify-standin.ts';
import { makeTempDir } from '../../helpers/db.ts';
import { type GitServer, startGitServer } from '../../helpers/git-server.ts';
import {
  type CgEnv,
  type CgUser,
  registerUser,
  startCodeGuide,
  TEXT_MODEL,
  waitFor,
} from './support.ts';

const bwrap = probeBwrap();
const skip = bwrap.ok ? false : 'needs bubblewrap';
const BUGGY = 'def add(a, b):\n    return a - b\n';
const FIXED = 'def add(a, b):\n    return a + b\n';

let env: CgEnv;
let git: GitServer;
let coolify: CoolifyStandin;
let user: CgUser;
let projectId: string;
let repoUrl: string;

before(async () => {
  if (skip) return;
  git = await startGitServer();
  repoUrl = git.createRepository('calc', {
    'calc.py': BUGGY,
    'README.md': '# calc\n',
    'src/util/strings.py': 'X = 1\n',
  });
  coolify = await startCoolifyStandin({
    token: 'coolify-token-for-tests',
    applications: [{ uuid: 'app-web', name: 'web', status: 'running', fqdn: 'https://web.test' }],
  });
  env = await startCodeGuide({
    workers: 1,
    env: {
      TASKLANE_GIT_ALLOW_PRIVATE: 'true',
      TASKLANE_COOLIFY_URL: coolify.url,
      TASKLANE_COOLIFY_TOKEN: coolify.token,
      TASKLANE_COOLIFY_ALLOW_NETWORKS: '127.0.0.1/32',
    },
  });
  user = await registerUser(env.api, 'csrun');
  projectId = (await env.api.post('/v1/projects', { title: 'P', description: 'D' }, user.auth)).body
    .data.id;
});
after(async () => {
  await env?.close();
  await git?.close();
  await coolify?.close();
});

const run = promisify(execFile);
/** The git CLI, asynchronously: the git server answering it runs in this process. */
const git_ = async (cwd: string, ...args: string[]) =>
  (
    await run('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' },
    })
  ).stdout;

async function finished(id: string, who = user) {
  return waitFor(
    `codespace task ${id} to finish`,
    async () => {
      const res = await env.api.get(`/v1/codespace/tasks/${id}`, who.auth);
      assert.equal(res.status, 200, res.text);
      return ['completed', 'failed', 'cancelled'].includes(res.body.status) ? res.body : undefined;
    },
    60_000,
  );
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return Buffer.from(await res.arrayBuffer());
}

test('a codespace task clones, lets the agent edit, and yields a diff that applies', {
  skip,
}, async () => {
  env.fixture.script = (results) =>
    results.length === 0
      ? [{ name: 'file_writer', arguments: { path: 'repo/calc.py', content: FIXED } }]
      : undefined;
  try {
    const created = await env.api.post(
      '/v1/codespace/tasks',
      {
        project_id: projectId,
        repository_url: repoUrl,
        task_description: 'Fix add() in calc.py: it subtracts',
        model_id: `default/${TEXT_MODEL}`,
      },
      user.auth,
    );
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, 'pending');
    const task = await finished(created.body.id);
    assert.equal(task.status, 'completed', JSON.stringify(task));
    assert.equal(task.progress, 100);
    assert.equal(task.error_message, null);
    assert.equal(task.result.changed, true);
    assert.match(task.result.branch, /^tasklane\/codespace-/);
    assert.match(task.result.commit, /^[0-9a-f]{40}$/);
    assert.match(task.result.base_commit, /^[0-9a-f]{40}$/);
    assert.equal(task.result.base_branch, 'main');
    assert.ok(task.result.summary.length > 0);
    for (const name of ['changes.diff', 'changes.bundle', 'summary.md', 'steps.json'])
      assert.ok(task.files[name], `${name} is an artifact: ${Object.keys(task.files)}`);

    // The diff applies to a fresh clone of the same commit and makes exactly the edit.
    const work = makeTempDir('tasklane-apply-');
    await git_(work, 'clone', '-q', repoUrl, 'calc');
    const clone = path.join(work, 'calc');
    const diff = await download(task.files['changes.diff']);
    assert.match(diff.toString(), /^- {4}return a - b$/m);
    assert.match(diff.toString(), /^\+ {4}return a \+ b$/m);
    fs.writeFileSync(path.join(work, 'changes.diff'), diff);
    await git_(clone, 'apply', '--check', '../changes.diff');
    await git_(clone, 'apply', '../changes.diff');
    assert.equal(fs.readFileSync(path.join(clone, 'calc.py'), 'utf8'), FIXED);

    // The bundle carries the commit on its branch, on top of the cloned commit.
    fs.writeFileSync(
      path.join(work, 'changes.bundle'),
      await download(task.files['changes.bundle']),
    );
    await git_(clone, 'bundle', 'verify', '-q', '../changes.bundle');
    await git_(clone, 'fetch', '-q', '../changes.bundle', `${task.result.branch}:fixed`);
    assert.equal((await git_(clone, 'rev-parse', 'fixed')).trim(), task.result.commit);
    assert.equal(await git_(clone, 'show', 'fixed:calc.py'), FIXED);
    assert.match(await git_(clone, 'log', '-1', '--format=%s', 'fixed'), /Fix add\(\) in calc\.py/);

    const steps = JSON.parse((await download(task.files['steps.json'])).toString());
    assert.ok(Array.isArray(steps) && steps.length >= 2);
    assert.deepEqual(steps[0].tools, ['file_writer']);

    // The list shows it completed and filters by status.
    const list = await env.api.get('/v1/codespace/tasks?status=completed', user.auth);
    assert.ok(list.body.data.some((t: { id: string }) => t.id === task.id));
  } finally {
    env.fixture.script = undefined;
  }
});

test('no change: completed with changed=false and an empty diff', { skip }, async () => {
  env.fixture.script = () => undefined; // answers at once, edits nothing
  try {
    const created = await env.api.post(
      '/v1/codespace/tasks',
      { project_id: projectId, repository_url: repoUrl, task_description: 'Just look' },
      user.auth,
    );
    const task = await finished(created.body.id);
    assert.equal(task.status, 'completed', JSON.stringify(task));
    assert.equal(task.result.changed, false);
    assert.equal(task.result.branch, null);
    assert.equal(task.files['changes.bundle'], undefined);
    assert.equal((await download(task.files['changes.diff'])).length, 0);
  } finally {
    env.fixture.script = undefined;
  }
});

test('deployment_config deploys the Coolify application once the task succeeds', {
  skip,
}, async () => {
  const created = await env.api.post(
    '/v1/codespace/tasks',
    {
      project_id: projectId,
      repository_url: repoUrl,
      task_description: 'Ship it',
      deployment_config: { application_id: 'app-web', environment: 'production' },
    },
    user.auth,
  );
  assert.equal(created.status, 201, created.text);
  const task = await finished(created.body.id);
  assert.equal(task.status, 'completed', JSON.stringify(task));
  const [deployed] = coolify.deployments;
  assert.equal(deployed?.applicationUuid, 'app-web');
  assert.deepEqual(task.deployment, {
    config: { application_id: 'app-web', environment: 'production' },
    status: 'deploying',
    deployment_id: deployed!.deploymentUuid,
    message: task.deployment.message,
  });
  assert.equal(typeof task.deployment.message, 'string');

  // An application Coolify does not know: the task still completes; the deploy failed.
  const unknown = await env.api.post(
    '/v1/codespace/tasks',
    {
      project_id: projectId,
      repository_url: repoUrl,
      task_description: 'Ship the other',
      deployment_config: { application_id: 'app-missing' },
    },
    user.auth,
  );
  const second = await finished(unknown.body.id);
  assert.equal(second.status, 'completed');
  assert.equal(second.deployment.status, 'failed');
  assert.equal(coolify.deployments.length, 1);
});

test('cancelling a running codespace task stops it', { skip }, async () => {
  env.fixture.script = (results) =>
    results.length === 0
      ? [
          {
            name: 'code_executor',
            arguments: { language: 'python', code: 'import time\ntime.sleep(120)' },
          },
        ]
      : undefined;
  try {
    const created = await env.api.post(
      '/v1/codespace/tasks',
      { project_id: projectId, repository_url: repoUrl, task_description: 'Sleep' },
      user.auth,
    );
    const id = created.body.id;
    await waitFor('the agent to be running', async () => {
      const res = await env.api.get(`/v1/codespace/tasks/${id}`, user.auth);
      return res.body.status === 'running' && res.body.progress >= 10 ? true : undefined;
    });
    const started = Date.now();
    const cancelled = await env.api.put(
      `/v1/codespace/tasks/${id}`,
      { status: 'cancelled' },
      user.auth,
    );
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.body.status, 'cancelled');
    const task = await finished(id);
    assert.equal(task.status, 'cancelled');
    assert.ok(Date.now() - started < 30_000);
    // Editing a started task is a conflict.
    const edit = await env.api.put(
      `/v1/codespace/tasks/${id}`,
      { task_description: 'x' },
      user.auth,
    );
    assert.equal(edit.status, 409, edit.text);
  } finally {
    env.fixture.script = undefined;
  }
});

test('a clone the SSRF guard refuses fails the task with the reason', { skip }, async () => {
  const strict = await startCodeGuide({ workers: 1 });
  try {
    const someone = await registerUser(strict.api, 'csstrict');
    const project = (
      await strict.api.post('/v1/projects', { title: 'P', description: 'D' }, someone.auth)
    ).body.data.id;
    const asked = git.requests.length;
    const created = await strict.api.post(
      '/v1/codespace/tasks',
      { project_id: project, repository_url: repoUrl, task_description: 'Anything' },
      someone.auth,
    );
    assert.equal(created.status, 201, created.text);
    const task = await waitFor(
      'the refused clone',
      async () => {
        const res = await strict.api.get(`/v1/codespace/tasks/${created.body.id}`, someone.auth);
        return res.body.status === 'failed' ? res.body : undefined;
      },
      60_000,
    );
    assert.match(task.error_message, /private|loopback|not allowed|TASKLANE_GIT_ALLOW_PRIVATE/i);
    assert.equal(git.requests.length, asked, 'the guard refused before connecting');
  } finally {
    await strict.close();
  }
});
