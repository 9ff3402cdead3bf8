/**
 * The Codeep spec's own SDK examples ("SDK Examples" in specs/codeep-v1.md: the Python
 * `requests` one and the JavaScript `axios` one), read from the spec at test time and run
 * unchanged except for the base URL against a real server with two workers, so the tasks
 * they create really run (LLM fixture, agent runner, bubblewrap sandbox). A few lines are
 * appended to each, never changed, so the test can read what the example ended with.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from '../../helpers/db.ts';
import { type Client, client } from '../../helpers/http.ts';
import { type LlmFixture, startLlmFixture } from '../../helpers/llm-fixture.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { readSpec, skipWithoutSpec, specPath } from '../../helpers/specs.ts';
import { waitFor } from './support.ts';

/** The repository root: the axios example resolves its require from here. */
const REPO = path.resolve(import.meta.dirname, '../../..');
const SPEC_FILE = 'codeep-v1.md';
const SPEC = specPath(SPEC_FILE);
const SPEC_BASE_URL = 'https://api.codeep.cc/v1';
const PYTHON = '/usr/bin/python3';
/** The credentials the examples log in with. */
const USERNAME = 'your_username';
const PASSWORD = 'your_password';

/** The code of the first ```<language> block under "## SDK Examples". */
function sdkExample(spec: string, language: string): string {
  const start = spec.indexOf('## SDK Examples');
  assert.ok(start >= 0, `no "## SDK Examples" section in ${SPEC}`);
  const next = spec.indexOf('\n## ', start + 1);
  const section = spec.slice(start, next < 0 ? undefined : next);
  const block = section.match(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```'));
  assert.ok(block, `no \`\`\`${language} block under "## SDK Examples" in ${SPEC}`);
  return block[1]!;
}

/** The example with only its base URL pointed at the test server. */
function pointedAt(code: string, url: string): string {
  assert.ok(code.includes(SPEC_BASE_URL), `the example does not call ${SPEC_BASE_URL}`);
  const pointed = code.replaceAll(SPEC_BASE_URL, `${url}/v1`);
  assert.ok(!pointed.includes('api.codeep.cc'), 'an address other than the base URL is left');
  return pointed;
}

/** The value of `<key>: '<value>'` / `'<key>': '<value>'` in the example's task body. */
function literal(code: string, key: string): string {
  const found = code.match(new RegExp(`'?${key}'?\\s*:\\s*'([^']*)'`));
  assert.ok(found, `no ${key} in the example`);
  return found[1]!;
}

interface Run {
  code: number | string | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (or the timeout), never throwing on a non-zero exit. */
function run(file: string, args: string[], cwd: string, timeout = 60_000): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? error.signal ?? 'error') : 0, stdout, stderr });
    });
  });
}

/** The JSON the appended lines printed last. */
function printed(result: Run, what: string): any {
  const context = `${what} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.code, 0, context);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last);
  } catch {
    assert.fail(`no JSON on the last line: ${context}`);
  }
}

let spec: string;
let fixture: LlmFixture;
let server: TestServer;
let api: Client;
let token: string;
let dir: string;

/** Polls GET /v1/tasks/tasks/{id} until the task has finished, and returns it. */
const finished = (id: string) =>
  waitFor(`task ${id} to finish`, async () => {
    const res = await api.get(`/v1/tasks/tasks/${id}`, { token });
    assert.equal(res.status, 200, res.text);
    return ['completed', 'failed'].includes(res.body.task.status) ? res.body.task : undefined;
  });

describe('the SDK examples of specs/codeep-v1.md', { skip: skipWithoutSpec(SPEC_FILE) }, () => {
  before(async () => {
    spec = readSpec(SPEC_FILE);
    dir = makeTempDir('tasklane-sdk-');
    fixture = await startLlmFixture();
    server = await startServer({
      workers: 2,
      env: { TASKLANE_LLM_BASE_URL: fixture.baseUrl, TASKLANE_LLM_MODEL: 'llama3.1:8b' },
    });
    api = client(server.url);
    const reg = await api.post('/v1/auth/register', {
      username: USERNAME,
      email: 'your_username@example.com',
      password: PASSWORD,
    });
    assert.equal(reg.status, 201, reg.text);
    const login = await api.post('/v1/auth/login', { username: USERNAME, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
    token = login.body.access_token;
  });
  after(async () => {
    await server?.close();
    await fixture?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Python (requests): logs in, creates a task, reads its status; the task completes', async (t) => {
    const probe = await run(PYTHON, ['-c', 'import requests'], dir, 30_000);
    if (probe.code !== 0)
      return t.skip(`${PYTHON} cannot import requests: ${probe.stderr.trim() || probe.code}`);
    const example = sdkExample(spec, 'python');
    const file = path.join(dir, 'example.py');
    fs.writeFileSync(
      file,
      `${pointedAt(example, server.url)}\n\n` +
        '# Appended by the test: what the example ended with.\n' +
        'import json\n' +
        "print(json.dumps({'task_id': task_id, 'status': status}))\n",
    );
    const out = printed(await run(PYTHON, [file], dir), 'the Python example');
    assert.equal(typeof out.task_id, 'string', JSON.stringify(out));
    assert.ok(['queued', 'processing', 'completed'].includes(out.status), JSON.stringify(out));

    const task = await finished(out.task_id);
    assert.equal(task.status, 'completed', JSON.stringify(task));
    assert.equal(task.prompt, literal(example, 'prompt'));
    assert.deepEqual(task.toolset, ['code_executor', 'file_reader']);
    // The model was offered the example's toolset, and the sandboxed code printed 42.
    const call = fixture.requests.find((r) => r.messages.some((m) => m.content === task.prompt));
    assert.deepEqual(
      call?.tools?.map((tool) => tool.function.name),
      ['code_executor', 'file_reader'],
    );

    const res = await api.get(`/v1/tasks/tasks/${out.task_id}/results`, { token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'completed');
    assert.equal(res.body.result, task.result);
    assert.match(res.body.result, /42/);
    const urls: Record<string, string> = res.body.result_urls;
    assert.ok('output.json' in urls, `output.json in ${Object.keys(urls)}`);
    const download = await fetch(urls['output.json']!); // no Authorization header
    const text = await download.text();
    assert.equal(download.status, 200, `${urls['output.json']}: ${text}`);
    assert.equal(JSON.parse(text).output, task.result);
  });

  test('JavaScript (axios): logs in, creates a task, polls checkStatus() until it completes', async () => {
    const example = sdkExample(spec, 'javascript');
    const file = path.join(dir, 'example.mjs');
    fs.writeFileSync(
      file,
      '// Prepended by the test: require() for this ES module, resolving from the repo.\n' +
        "import { createRequire } from 'node:module';\n" +
        `const require = createRequire(${JSON.stringify(path.join(REPO, 'package.json'))});\n\n` +
        `${pointedAt(example, server.url)}\n\n` +
        "// Appended by the test: poll with the example's checkStatus() until the task is done.\n" +
        'let task = await checkStatus();\n' +
        'const deadline = Date.now() + 30_000;\n' +
        "while (!['completed', 'failed'].includes(task.status) && Date.now() < deadline) {\n" +
        '  await new Promise((resolve) => setTimeout(resolve, 200));\n' +
        '  task = await checkStatus();\n' +
        '}\n' +
        'console.log(JSON.stringify(task));\n',
    );
    const task = printed(await run(process.execPath, [file], dir), 'the JavaScript example');
    assert.equal(task.status, 'completed', JSON.stringify(task));
    assert.equal(task.prompt, literal(example, 'prompt'));
    assert.deepEqual(task.toolset, ['code_executor', 'browser_screenshot']);
    assert.equal(typeof task.result, 'string', JSON.stringify(task));
    assert.ok(task.completed_at, JSON.stringify(task));
    const call = fixture.requests.find((r) => r.messages.some((m) => m.content === task.prompt));
    assert.deepEqual(
      call?.tools?.map((tool) => tool.function.name),
      ['code_executor', 'browser_screenshot'],
    );
    // Both tools ran: the sandboxed code saved answer.json, the browser a screenshot.
    const res = await api.get(`/v1/tasks/tasks/${task.task_id}/results`, { token });
    assert.equal(res.status, 200, res.text);
    const files = Object.keys(res.body.result_urls);
    assert.ok(files.includes('answer.json'), `answer.json in ${files}`);
    if (fs.existsSync('/usr/bin/chromium'))
      assert.ok(files.includes('screenshot.png'), `screenshot.png in ${files}`);
  });
});
