/**
 * The attacks of the sandbox review (issue 10, findings 1–4, 6–8 and 14), each run the
 * way an attacker runs it: a user creates a Codeep agent task over HTTP, a hostile
 * "model" (the LLM fixture, scripted) drives the real agent through its tools in the
 * real sandbox on a real worker, and the server stores and serves what comes out. Each
 * test asserts the attack fails: no host file is read or written, the server keeps
 * answering, limits hold, and no host path reaches the user.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { probeBwrap } from '../../src/core/execution/sandbox/bwrap.ts';
import type { ScriptedToolCall } from '../helpers/llm-fixture.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { type CodeepEnv, startCodeep, waitFor } from '../surfaces/codeep/support.ts';

const bwrap = probeBwrap();
let env: CodeepEnv;
let user: TestUser;
let dataDir: string;
/** A root-only file outside every workspace that attacks try to read or overwrite. */
let victim: string;
const VICTIM_TEXT = 'root-only victim file\n';

before(async () => {
  env = await startCodeep({ workers: 2, env: { TASKLANE_SANDBOX_WORKSPACE_INODES: '5000' } });
  dataDir = env.server.env.TASKLANE_DATA_DIR!;
  victim = path.join(dataDir, 'victim.txt');
  fs.writeFileSync(victim, VICTIM_TEXT, { mode: 0o600 });
  // On PostgreSQL the keys come from settings, not files: plant stand-ins where an
  // embedded server keeps them, so the attacks have host secrets to aim at either way.
  fs.mkdirSync(path.join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  for (const name of ['jwt-secret', 'secret-key']) {
    const file = path.join(dataDir, 'secrets', name);
    if (!fs.existsSync(file))
      fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  user = await createUser(env.api, 'attacker');
});
after(async () => {
  await env?.close();
});

const bash = (code: string): ScriptedToolCall => ({
  name: 'code_executor',
  arguments: { language: 'bash', code },
});

/** Runs an agent task whose model plays `steps`, one list of tool calls per step. */
async function attack(toolset: string[], steps: ScriptedToolCall[][]) {
  env.fixture.script = (results) => steps[results.length === 0 ? 0 : stepOf(results.length)];
  const stepOf = (resultCount: number) => {
    let seen = 0;
    for (let i = 0; i < steps.length; i++) {
      seen += steps[i]!.length;
      if (seen === resultCount) return i + 1;
    }
    return steps.length;
  };
  const created = await env.api.post(
    '/v1/tasks/tasks',
    { prompt: 'do as you are told', toolset },
    { token: user.token },
  );
  assert.equal(created.status, 201, created.text);
  const id: string = created.body.task.task_id;
  const task = await waitFor(
    `task ${id}`,
    async () => {
      const res = await env.api.get(`/v1/tasks/tasks/${id}`, { token: user.token });
      return ['completed', 'failed'].includes(res.body.task?.status) ? res.body.task : undefined;
    },
    120_000,
  );
  const results = await env.api.get(`/v1/tasks/tasks/${id}/results`, { token: user.token });
  const artifacts: Record<string, string> = {};
  for (const [name, url] of Object.entries(
    (results.body.result_urls ?? {}) as Record<string, string>,
  ))
    artifacts[name] = await (await fetch(url)).text();
  // What the server said back to the model: the tool results (not the attacker's own calls).
  const transcript = JSON.stringify(
    (env.fixture.requests.at(-1)?.messages ?? []).filter((m) => m.role === 'tool'),
  );
  return { task, artifacts, transcript };
}

/** Nothing the user gets back names a host path or carries a host secret. */
function assertNothingLeaked(outcome: Awaited<ReturnType<typeof attack>>): void {
  const everything = JSON.stringify(outcome);
  assert.ok(!everything.includes(dataDir), `a host path leaked: ${everything.slice(0, 2000)}`);
  for (const name of ['jwt-secret', 'secret-key']) {
    const secret = fs.readFileSync(path.join(dataDir, 'secrets', name), 'utf8').trim();
    assert.ok(!everything.includes(secret), `${name} leaked`);
  }
  assert.ok(!everything.includes(VICTIM_TEXT.trim()), 'the victim file leaked');
  assert.equal(fs.readFileSync(victim, 'utf8'), VICTIM_TEXT, 'the victim file is unchanged');
}

describe('sandbox attacks through the product', {
  skip: bwrap.ok ? false : `needs bubblewrap: ${(bwrap as { reason: string }).reason}`,
}, () => {
  test('finding 1: out/ swapped for a link to the data dir yields no host file as an artifact', async () => {
    const outcome = await attack(
      ['code_executor'],
      [
        // Links inside a real out/ first, then out/ itself replaced by a link to the secrets.
        [
          bash(
            `ln -s ${dataDir}/secrets/jwt-secret out/jwt.txt; ln -s ${victim} out/victim.txt; echo ok > fine.txt`,
          ),
        ],
        [bash(`rm -rf out && ln -s ${dataDir}/secrets out && echo swapped`)],
      ],
    );
    assert.equal(outcome.task.status, 'completed', JSON.stringify(outcome.task));
    assert.deepEqual(Object.keys(outcome.artifacts).sort(), ['output.json', 'result.txt']);
    assertNothingLeaked(outcome);
  });

  test('finding 2: links planted where the next program would be written redirect nothing', async () => {
    // The original attack: links for every millisecond of the next seconds, in the old naming.
    const now = Date.now();
    const outcome = await attack(
      ['code_executor', 'file_writer'],
      [
        [
          {
            name: 'code_executor',
            arguments: {
              language: 'python',
              code: [
                'import os',
                `os.symlink(${JSON.stringify(victim)}, "out/notes.txt")`,
                'for i in range(2000):',
                '  for ext in (".py", ".sh"):',
                `    os.symlink(${JSON.stringify(victim)}, f"tool_{${now} + i}{ext}")`,
                'print("planted")',
              ].join('\n'),
            },
          },
        ],
        [
          bash('echo second step ran'),
          {
            name: 'file_writer',
            arguments: { path: 'out/notes.txt', content: '* * * * * root evil\n' },
          },
        ],
      ],
    );
    assert.match(outcome.transcript, /second step ran/);
    assert.match(outcome.transcript, /symbolic link/, 'the write through the link was refused');
    assertNothingLeaked(outcome);
  });

  test('finding 3: a planted out/screenshot.png link is not written through', async (s) => {
    if (!fs.existsSync('/usr/bin/chromium')) return s.skip('chromium is not installed');
    const outcome = await attack(
      ['code_executor', 'browser_screenshot'],
      [
        [bash(`ln -sf ${victim} out/screenshot.png; echo planted`)],
        [{ name: 'browser_screenshot', arguments: { url: 'data:text/html,<h1>hi</h1>' } }],
      ],
    );
    assert.match(outcome.transcript, /symbolic link/);
    assertNothingLeaked(outcome);
  });

  test('finding 4: reading or writing a FIFO fails that tool call; the server keeps answering', async () => {
    let healthy = 0;
    const probe = setInterval(async () => {
      const res = await fetch(`${env.server.url}/health`).catch(() => undefined);
      if (res?.ok) healthy++;
    }, 100);
    try {
      const outcome = await attack(
        ['code_executor', 'file_reader', 'file_writer'],
        [
          [bash('mkfifo pipe out/pipe2; echo made')],
          [
            { name: 'file_reader', arguments: { path: 'pipe' } },
            { name: 'file_writer', arguments: { path: 'out/pipe2', content: 'x' } },
          ],
        ],
      );
      assert.equal(outcome.task.status, 'completed');
      assert.match(outcome.transcript, /Not a regular file/);
      assert.match(outcome.transcript, /not a regular file/);
      assertNothingLeaked(outcome);
    } finally {
      clearInterval(probe);
    }
    assert.ok(healthy > 0, '/health answered while the tools met the FIFOs');
  });

  test('findings 6–8: memory in node, the inode limit and the writable mounts all hold', async () => {
    const outcome = await attack(
      ['code_executor'],
      [
        // A step's tool calls run side by side in one workspace: the memory bomb goes
        // first, on its own, or the inode fill below could leave its program no room.
        [
          {
            name: 'code_executor',
            arguments: {
              language: 'node',
              code: 'const a=[]; for (let i=0;i<3;i++){ a.push(Buffer.alloc(1<<30).fill(7)); console.log("got", i) }',
            },
          },
        ],
        [
          {
            name: 'code_executor',
            arguments: {
              language: 'python',
              code: 'import os\nn=0\ntry:\n  while n < 200000:\n    open(f"e{n}", "w").close(); n += 1\nexcept OSError as e: print("stopped at", n, e.strerror)',
            },
          },
          bash(
            'head -c 500M /dev/zero > /tmp/big 2>/dev/null; echo "tmp $(stat -c %s /tmp/big)"; touch /run/x 2>/dev/null || echo "no writable /run"',
          ),
        ],
      ],
    );
    assert.equal(outcome.task.status, 'completed');
    assert.ok(!/got 2/.test(outcome.transcript), 'node did not get 3 GiB');
    assert.match(outcome.transcript, /memory limit exceeded|exit_code\\":null|exit_code\\":137/);
    assert.match(outcome.transcript, /stopped at \d+ No space left on device/);
    const tmp = Number(/tmp (\d+)/.exec(outcome.transcript)?.[1]);
    assert.ok(tmp <= 64 * 1024 * 1024, `tmp ${tmp}`);
    assert.match(outcome.transcript, /no writable \/run/);
    assertNothingLeaked(outcome);
  });

  test('finding 14: errors name workspace paths, never host paths', async () => {
    const outcome = await attack(
      ['code_executor', 'file_reader', 'file_writer'],
      [
        [bash(`ln -s ${dataDir} hostdir; echo ok`)],
        [
          { name: 'file_reader', arguments: { path: 'hostdir/secrets/jwt-secret' } },
          { name: 'file_writer', arguments: { path: 'hostdir/evil.txt', content: 'x' } },
          { name: 'file_reader', arguments: { path: 'missing/deep/file.txt' } },
        ],
        // The original: out/ as a link to /proc/self, whose files vanish while they are read.
        [bash('rm -rf out && ln -s /proc/self out && echo swapped')],
      ],
    );
    assert.equal(outcome.task.status, 'completed', JSON.stringify(outcome.task));
    assert.deepEqual(Object.keys(outcome.artifacts).sort(), ['output.json', 'result.txt']);
    assert.ok(!fs.existsSync(path.join(dataDir, 'evil.txt')));
    assertNothingLeaked(outcome);
  });
});
