/**
 * A code task sees its owner's stored environment variables (CMBCluster's
 * /user-env-vars) only when it opts in with `env_vars`, only the owner's, and never on a
 * command line: real worker, real sandbox.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deleteEnvVar, setEnvVar } from '../../../src/core/environments/env-vars.service.ts';
import { DomainError } from '../../../src/core/errors.ts';
import { createTask, getTask } from '../../../src/core/tasks/tasks.service.ts';
import type { Task } from '../../../src/core/tasks/tasks.types.ts';
import { newActor } from '../../helpers/actors.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

let t: TestRuntime;
before(async () => {
  t = await startRuntime({ workers: 2 });
});
after(() => t.close());

const SECRET = "s3cr3t 'quoted' $HOME value";

// Prints the variables it sees and whether any process's command line holds the secret.
const PROGRAM = `
import json, os, glob
seen = {k: os.environ.get(k) for k in ("API_TOKEN", "OTHER")}
leaked = False
for f in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        leaked = leaked or ${JSON.stringify(SECRET)}.encode() in open(f, "rb").read()
    except OSError:
        pass
print(json.dumps({"seen": seen, "leaked": leaked}))
`;

async function run(ctx: Parameters<typeof createTask>[0], envVars?: unknown): Promise<Task> {
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: {
      language: 'python',
      source: PROGRAM,
      ...(envVars === undefined ? {} : { env_vars: envVars }),
    },
    source: 'test',
  });
  for (;;) {
    const current = await getTask(ctx, task.id);
    if (['succeeded', 'failed', 'cancelled'].includes(current.status)) return current;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const output = (task: Task) =>
  JSON.parse((task.result as { stdout: string }).stdout) as {
    seen: Record<string, string | null>;
    leaked: boolean;
  };

test('without env_vars a task sees none of its owner variables', async () => {
  const { ctx } = await newActor(t);
  await setEnvVar(ctx, 'API_TOKEN', SECRET);
  const done = await run(ctx);
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(output(done).seen, { API_TOKEN: null, OTHER: null });
});

test('env_vars: true injects all of them, env_vars: [names] only those; never on a command line', async () => {
  const { ctx } = await newActor(t);
  await setEnvVar(ctx, 'API_TOKEN', SECRET);
  await setEnvVar(ctx, 'OTHER', 'other-value');
  const all = await run(ctx, true);
  assert.equal(all.status, 'succeeded', all.errorMessage ?? '');
  assert.deepEqual(output(all), {
    seen: { API_TOKEN: SECRET, OTHER: 'other-value' },
    leaked: false,
  });
  const named = await run(ctx, ['API_TOKEN']);
  assert.deepEqual(output(named).seen, { API_TOKEN: SECRET, OTHER: null });
});

test("another user's variables never reach a task", async () => {
  const owner = await newActor(t);
  await setEnvVar(owner.ctx, 'API_TOKEN', SECRET);
  const other = await newActor(t);
  const done = await run(other.ctx, true);
  assert.deepEqual(output(done).seen, { API_TOKEN: null, OTHER: null });
  await assert.rejects(
    run(other.ctx, ['API_TOKEN']),
    (e: unknown) =>
      e instanceof DomainError && e.code === 'validation' && /API_TOKEN/.test(e.message),
  );
});

test('bad env_vars are refused when the task is created; a variable deleted before the run fails it', async () => {
  const { ctx } = await newActor(t);
  for (const bad of ['yes', 1, [1], { API_TOKEN: true }])
    await assert.rejects(
      run(ctx, bad),
      (e: unknown) => e instanceof DomainError && e.code === 'validation',
      JSON.stringify(bad),
    );
  await setEnvVar(ctx, 'API_TOKEN', SECRET);
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: { language: 'python', source: PROGRAM, env_vars: ['API_TOKEN'] },
    scheduledAt: Date.now() + 1500,
    source: 'test',
  });
  await deleteEnvVar(ctx, 'API_TOKEN');
  for (;;) {
    const current = await getTask(ctx, task.id);
    if (current.status === 'failed') {
      assert.match(current.errorMessage!, /No such environment variable: API_TOKEN/);
      break;
    }
    assert.notEqual(current.status, 'succeeded');
    await new Promise((r) => setTimeout(r, 100));
  }
});
