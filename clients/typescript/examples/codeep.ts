/**
 * README, Codeep: register, log in, submit a task, read it back (the spec's SDK
 * example). test/clients/typescript.test.ts runs it against a real server.
 */
import { createCodeepClient } from '@tasklane/client/codeep';

export async function codeepExample(baseUrl: string) {
  // #region README
  const codeep = createCodeepClient({ baseUrl });
  await codeep.POST('/auth/register', {
    body: { username: 'ada', email: 'ada@example.com', password: 'correct horse battery' },
  });
  const { data: login, error } = await codeep.POST('/auth/login', {
    body: { username: 'ada', password: 'correct horse battery' },
  });
  if (!login) throw new Error(error.msg); // a 401's body, typed: { msg, error }

  const api = createCodeepClient({ baseUrl, auth: { bearer: login.access_token } });
  const { data: created } = await api.POST('/tasks/tasks', {
    body: { prompt: 'Write hello.py that prints 42', toolset: ['code_executor'] },
  });
  const { data } = await api.GET('/tasks/tasks/{task_id}', {
    params: { path: { task_id: created!.task.task_id } },
  });
  const status = data?.task.status; // 'queued' | 'processing' | 'completed' | 'failed'
  // #endregion README
  return { login, created: created!, status };
}
