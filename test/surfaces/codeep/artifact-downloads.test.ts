/**
 * Artifacts are files a task's code chose, served from the API's own origin: an `.html`
 * or `.svg` shown inline would run its script as us (stored XSS). A real Codeep task
 * (the LLM fixture calls code_executor, which runs in the sandbox) writes such files to
 * out/; its result_urls must download them as attachments with a sandboxing CSP and
 * nosniff, inline only for safe types, and with the exact name in RFC 5987 `filename*`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser } from '../../helpers/users.ts';
import { type CodeepEnv, createTask, startCodeep, waitFor } from './support.ts';

const FILES: Record<string, string> = {
  'page.html': '<html><body><script>fetch("/v1/auth/profile")</script></body></html>',
  'image.svg':
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
  'résumé "final".html': '<script>alert(3)</script>',
  'notes.txt': 'plain words\n',
  'pixel.png': '\x89PNG\r\n\x1a\n',
  'data.csv': 'a,b\n1,2\n',
};

const CODE = [
  'import json',
  `files = json.loads(${JSON.stringify(JSON.stringify(FILES))})`,
  'for name, text in files.items():',
  '    open("out/" + name, "w", encoding="latin-1" if name.endswith(".png") else "utf-8").write(text)',
  'print("written")',
].join('\n');

let env: CodeepEnv;
let urls: Record<string, string>;
before(async () => {
  env = await startCodeep({
    workers: 1,
    llm: { toolInputs: { code_executor: { language: 'python', code: CODE } } },
  });
  const user = await createUser(env.api, 'artifacts');
  const id = await createTask(env.api, user.token, {
    prompt: 'Write the report files',
    toolset: ['code_executor'],
  });
  const task = await waitFor(`task ${id} to finish`, async () => {
    const res = await env.api.get(`/v1/tasks/tasks/${id}`, { token: user.token });
    return ['completed', 'failed'].includes(res.body.task.status) ? res.body.task : undefined;
  });
  assert.equal(task.status, 'completed', JSON.stringify(task));
  const results = await env.api.get(`/v1/tasks/tasks/${id}/results`, { token: user.token });
  assert.equal(results.status, 200, results.text);
  urls = results.body.result_urls;
});
after(() => env?.close());

async function download(name: string) {
  const url = urls[name];
  assert.ok(url, `${name} in ${Object.keys(urls)}`);
  const res = await fetch(url); // the signed link needs no credentials
  assert.equal(res.status, 200, name);
  return { headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function assertSandboxed(headers: Headers, name: string) {
  assert.equal(headers.get('x-content-type-options'), 'nosniff', name);
  const csp = headers.get('content-security-policy') ?? '';
  assert.match(csp, /(^|;\s*)sandbox(;|$)/, `${name}: ${csp}`);
  assert.match(csp, /default-src 'none'/, `${name}: ${csp}`);
}

test('HTML and SVG artifacts are attachments, sandboxed and not sniffed', async () => {
  for (const name of ['page.html', 'image.svg', 'data.csv']) {
    const { headers, bytes } = await download(name);
    const disposition = headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment;/, `${name}: ${disposition}`);
    assert.ok(disposition.includes(`filename="${name}"`), disposition);
    assert.ok(disposition.includes(`filename*=UTF-8''${name}`), disposition);
    assertSandboxed(headers, name);
    assert.equal(bytes.toString('utf8'), FILES[name], 'the file itself is unchanged');
  }
  assert.match((await download('image.svg')).headers.get('content-type')!, /^image\/svg\+xml/);
});

test('a name with non-ASCII characters and quotes: an ASCII filename and the exact filename*', async () => {
  const name = 'résumé "final".html';
  const { headers } = await download(name);
  assert.equal(
    headers.get('content-disposition'),
    `attachment; filename="r_sum_ _final_.html"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.html`,
  );
  assertSandboxed(headers, name);
});

test('images and plain text stay inline, still sandboxed', async () => {
  for (const [name, type] of [
    ['pixel.png', /^image\/png$/],
    ['notes.txt', /^text\/plain/],
  ] as const) {
    const { headers } = await download(name);
    assert.match(headers.get('content-disposition') ?? '', /^inline;/, name);
    assert.match(headers.get('content-type') ?? '', type, name);
    assertSandboxed(headers, name);
  }
});
