/**
 * The Python (requests) and JavaScript (fetch) examples under "## Examples" in
 * specs/taskassistant-v1.md, read from the spec file at test time and run unchanged
 * against this server: only the base URL is replaced (plus what each test notes).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { makeTempDir } from '../../helpers/db.ts';
import { type Response, request } from '../../helpers/http.ts';
import { readSpec, skipWithoutSpec } from '../../helpers/specs.ts';
import { startTaskAssistant, type TaEnv, UUID } from './support.ts';

const SPEC_FILE = 'taskassistant-v1.md';
const SPEC_BASE_URL = 'https://api.taskassistant.ai/api/v1';
const EMAIL = 'user@example.com';
const PASSWORD = 'password123';
const run = promisify(execFile);

let env: TaEnv;
let token: string;
let dir: string;

const ta = (method: string, url: string, body?: unknown): Promise<Response> =>
  request(env.server.url, method, `/api/v1${url}`, body, { token });

/** The code block of `language` under `### <heading>` in the spec's "## Examples". */
function example(heading: string, language: string): string {
  const text = readSpec(SPEC_FILE);
  const examples = text.slice(text.indexOf('\n## Examples\n'));
  assert.ok(examples.length > 20, 'the spec has an Examples section');
  const section = examples.slice(examples.indexOf(`\n### ${heading}\n`));
  const match = section.match(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```'));
  assert.ok(match, `a ${language} block under ${heading}`);
  const code = match[1]!;
  assert.equal(code.split(SPEC_BASE_URL).length, 2, 'the base URL appears once');
  return code.replace(SPEC_BASE_URL, `${env.server.url}/api/v1`);
}

async function execute(command: string, file: string, source: string) {
  fs.writeFileSync(path.join(dir, file), source);
  const result = await run(command, [path.join(dir, file)], {
    cwd: dir,
    timeout: 60_000,
    env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
  });
  return result.stdout.split('\n').filter(Boolean);
}

describe('the examples of specs/taskassistant-v1.md', { skip: skipWithoutSpec(SPEC_FILE) }, () => {
  before(async () => {
    env = await startTaskAssistant({ llm: true });
    dir = makeTempDir('tasklane-sdk-examples-');
    // The examples log in as this user: it must exist.
    const registered = await env.api.post('/api/v1/auth/register', {
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(registered.status, 201, registered.text);
    const login = await env.api.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
    token = login.body.access_token;
  });
  after(async () => {
    await env?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the Python example: login, create a task, execute an agent', async () => {
    const code = example('Python Example', 'python');
    assert.match(code, /agent_id/);
    assert.doesNotMatch(code, /^agent_id\s*=/m, 'the example never defines agent_id');
    // The spec's cURL "Create Agent" body: the agent the example executes.
    const agent = await ta('POST', '/agents', {
      name: 'Sales Analyst',
      description: 'Analyzes sales data',
      instructions: 'You are a sales analyst.',
      provider: 'openai',
      model: 'gpt-4',
    });
    assert.equal(agent.status, 201, agent.text);
    // The example uses `agent_id` without defining it (it stands for an agent the reader
    // created): one line before it defines it. The appended print shows the run to check.
    const source = [
      `agent_id = "${agent.body.id}"`,
      code,
      `print(f"Agent run: {result['run_id']} {result['status']}")`,
      '',
    ].join('\n');
    const lines = await execute('/usr/bin/python3', 'example.py', source);

    assert.equal(lines.length, 3, lines.join('\n'));
    const taskId = lines[0]!.match(/^Created task: (\S+)$/)?.[1];
    assert.match(taskId ?? '', UUID, lines[0]);
    const task = await ta('GET', `/tasks/${taskId}`);
    assert.equal(task.status, 200, task.text);
    assert.equal(task.body.title, 'Analyze sales data');
    assert.equal(task.body.description, 'Generate Q4 insights');
    assert.equal(task.body.priority, 'high');

    assert.equal(lines[1], 'Agent output: You said: Analyze Q4 sales');
    const [, runId, status] = lines[2]!.split(' ').slice(1);
    assert.equal(status, 'completed');
    const stored = await ta('GET', `/agents/${agent.body.id}/runs/${runId}`);
    assert.equal(stored.status, 200, stored.text);
    assert.equal(stored.body.input, 'Analyze Q4 sales');
    assert.equal(stored.body.output, 'You said: Analyze Q4 sales');
  });

  test('the JavaScript example: login, create a conversation, send a message', async () => {
    const code = example('JavaScript Example', 'javascript');
    // Top-level await: run as an ES module. The appended line shows the conversation.
    const source = `${code}\nconsole.log("Conversation:", conversation.id);\n`;
    const before = env.fixture!.requests.length;
    const lines = await execute(process.execPath, 'example.mjs', source);

    assert.deepEqual(lines.slice(0, 1), ['AI Response: You said: What are the key sales trends?']);
    assert.equal(lines.length, 2, lines.join('\n'));
    const conversationId = lines[1]!.replace('Conversation: ', '');
    const conversation = await ta('GET', `/chat/conversations/${conversationId}`);
    assert.equal(conversation.status, 200, conversation.text);
    assert.equal(conversation.body.title, 'Sales Q&A');
    assert.deepEqual([conversation.body.provider, conversation.body.model], ['openai', 'gpt-4']);
    const messages = await ta('GET', `/chat/conversations/${conversationId}/messages`);
    assert.deepEqual(
      messages.body.items.map((m: { role: string; content: string }) => [m.role, m.content]),
      [
        ['user', 'What are the key sales trends?'],
        ['assistant', 'You said: What are the key sales trends?'],
      ],
    );
    // gpt-4 reached the model it is an alias of (the Python example's task may run meanwhile).
    const calls = env
      .fixture!.requests.slice(before)
      .filter((c) => JSON.stringify(c.messages).includes('key sales trends'));
    assert.deepEqual(
      calls.map((c) => c.model),
      ['llama3.1:8b'],
    );
  });
});
