/**
 * The AutoServe spec's own SDK snippets ("SDK and Client Libraries" in
 * specs/autoserve.md), read from the spec at test time and run against a real server
 * with a worker. The packages they import (`autoserve_sdk`, `@autoserve/sdk`) do not
 * exist, so the test supplies a minimal client of each, written from the spec's
 * endpoint reference as such a package would be: that import line is the only change,
 * besides the base URL. A few lines are appended so the test can read what they ended with.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from '../../helpers/db.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { readSpec, skipWithoutSpec } from '../../helpers/specs.ts';
import { upload, waitForStatus } from './support.ts';

const SPEC_FILE = 'autoserve.md';
const SPEC_BASE_URL = 'https://api.autoserve.com';
const PYTHON = '/usr/bin/python3';
/** The credentials the snippets log in with. */
const USERNAME = 'username';
const PASSWORD = 'password';

/** A Python `autoserve_sdk`: login, then tasks.create / tasks.get with attribute access. */
const PYTHON_SDK = `
import json, urllib.request
from types import SimpleNamespace

class _Api:
    def __init__(self, base_url, api_key):
        self.base_url, self.api_key, self.token = base_url.rstrip('/'), api_key, None
    def call(self, method, path, body=None):
        headers = {'Content-Type': 'application/json'}
        if self.token: headers['Authorization'] = 'Bearer ' + self.token
        elif self.api_key: headers['X-API-Key'] = self.api_key
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(req) as res:
            return json.loads(res.read(), object_hook=lambda d: SimpleNamespace(**d))

class _Auth:
    def __init__(self, api): self.api = api
    def login(self, username, password):
        grant = self.api.call('POST', '/auth/login', {'username': username, 'password': password})
        self.api.token = grant.access_token
        return grant.access_token

class _Tasks:
    def __init__(self, api): self.api = api
    def create(self, task): return self.api.call('POST', '/tasks', task)
    def get(self, task_id): return self.api.call('GET', '/tasks/' + task_id)

class AutoServeClient:
    def __init__(self, base_url, api_key=None):
        api = _Api(base_url, api_key)
        self.auth, self.tasks = _Auth(api), _Tasks(api)
`;

/** A JavaScript `@autoserve/sdk`: camelCase in, the API's snake_case on the wire. */
const JS_SDK = `
const snake = (k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const toWire = (v) =>
  Array.isArray(v) ? v.map(toWire)
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), toWire(x)]))
  : v;
export class AutoServeClient {
  constructor({ baseUrl, apiKey }) {
    this.baseUrl = baseUrl.replace(/\\/$/, '');
    this.apiKey = apiKey;
    this.token = undefined;
    const call = async (method, path, body) => {
      const headers = { 'content-type': 'application/json' };
      if (this.token) headers.authorization = 'Bearer ' + this.token;
      else if (this.apiKey) headers['x-api-key'] = this.apiKey;
      const res = await fetch(this.baseUrl + path, { method, headers, body: body && JSON.stringify(toWire(body)) });
      const json = await res.json();
      if (!res.ok) throw new Error(res.status + ' ' + JSON.stringify(json));
      return json;
    };
    this.auth = {
      login: async (username, password) => {
        const grant = await call('POST', '/auth/login', { username, password });
        this.token = grant.access_token;
        return grant.access_token;
      },
    };
    this.tasks = {
      create: (task) => call('POST', '/tasks', task),
      get: (id) => call('GET', '/tasks/' + id),
    };
  }
}
`;

/** The code of the ```<language> block under "### <heading>". */
function snippet(spec: string, heading: string, language: string): string {
  const start = spec.indexOf(`### ${heading}`);
  assert.ok(start >= 0, `no "### ${heading}" in specs/${SPEC_FILE}`);
  const block = spec.slice(start).match(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```'));
  assert.ok(block, `no \`\`\`${language} block under "### ${heading}"`);
  return block[1]!;
}

/** The snippet pointed at the test server, with its one import line replaced. */
function adapted(code: string, url: string, importLine: string, replacement: string): string {
  assert.ok(code.includes(SPEC_BASE_URL), `the snippet does not call ${SPEC_BASE_URL}`);
  assert.ok(code.includes(importLine), `the snippet has no "${importLine}"`);
  return code.replaceAll(SPEC_BASE_URL, url).replace(importLine, replacement);
}

interface Run {
  code: number | string | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? error.signal ?? 'error') : 0, stdout, stderr }),
    );
  });
}

function printed(result: Run, what: string): any {
  const context = `${what} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.code, 0, context);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
}

let server: TestServer;
let api: Client;
let token: string;
let dir: string;

describe('the SDK snippets of specs/autoserve.md', { skip: skipWithoutSpec(SPEC_FILE) }, () => {
  before(async () => {
    dir = makeTempDir('tasklane-autoserve-sdk-');
    server = await startServer({ workers: 1 });
    api = client(server.url);
    const reg = await api.post('/users/register', {
      username: USERNAME,
      password: PASSWORD,
      email: 'username@example.com',
    });
    assert.equal(reg.status, 201, reg.text);
    token = (await api.post('/auth/login', { username: USERNAME, password: PASSWORD })).body
      .access_token;
    // The snippets process "data.csv": the user uploaded it first.
    const up = await upload(server.url, token, { name: 'data.csv', content: 'a,b\n1,2\n3,4\n' });
    assert.equal(up.status, 200, up.text);
  });
  after(async () => {
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Python: login, create a data_processing task, get it; the task completes', async (t) => {
    if (!fs.existsSync(PYTHON)) return t.skip(`${PYTHON} is absent`);
    const spec = readSpec(SPEC_FILE);
    fs.writeFileSync(path.join(dir, 'autoserve_sdk.py'), PYTHON_SDK);
    const file = path.join(dir, 'example.py');
    const code = snippet(spec, 'Python SDK', 'python');
    fs.writeFileSync(
      file,
      `${adapted(code, server.url, 'from autoserve_sdk import AutoServeClient', "from autoserve_sdk import AutoServeClient  # the test's client")}\n\n` +
        '# Appended by the test.\nimport json\n' +
        "print(json.dumps({'id': task.id, 'status': status.status, 'type': status.task_type, 'token': isinstance(token, str)}))\n",
    );
    const out = printed(await run(PYTHON, [file], dir), 'the Python snippet');
    assert.equal(out.type, 'data_processing');
    assert.equal(out.token, true);
    assert.ok(['pending', 'running', 'completed'].includes(out.status), JSON.stringify(out));
    const done = await waitForStatus(api, token, out.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.title, 'Process data');
    assert.equal(done.result.records_processed, 2);
  });

  test('JavaScript: login, create a task (camelCase in); the task completes', async () => {
    const spec = readSpec(SPEC_FILE);
    const sdk = path.join(dir, 'autoserve-sdk.mjs');
    fs.writeFileSync(sdk, JS_SDK);
    const file = path.join(dir, 'example.mjs');
    const code = snippet(spec, 'JavaScript SDK', 'javascript');
    fs.writeFileSync(
      file,
      `${adapted(code, server.url, "from '@autoserve/sdk'", `from '${pathToFileURL(sdk).href}'`)}\n\n` +
        '// Appended by the test.\nconsole.log(JSON.stringify(task));\n',
    );
    const task = printed(await run(process.execPath, [file], dir), 'the JavaScript snippet');
    assert.equal(task.task_type, 'data_processing');
    assert.deepEqual(task.parameters, { input_file: 'data.csv' });
    const done = await waitForStatus(api, token, task.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.result.output_file, 'processed_data.json');
  });
});
