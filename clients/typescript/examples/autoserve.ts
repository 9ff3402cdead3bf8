/**
 * README, AutoServe: register, log in, then a bearer token that refreshes itself with
 * the login's refresh token (POST /auth/refresh) shortly before it expires; create a
 * task. test/clients/typescript.test.ts runs it against a real server.
 */
import { createAutoServeClient } from '@tasklane/client/autoserve';

export async function autoserveExample(baseUrl: string) {
  // #region README
  const autoserve = createAutoServeClient({ baseUrl });
  await autoserve.POST('/users/register', {
    body: { username: 'linus', email: 'linus@example.com', password: 'correct horse battery' },
  });
  const { data: login } = await autoserve.POST('/auth/login', {
    body: { username: 'linus', password: 'correct horse battery' },
  });
  if (!login?.refresh_token) throw new Error('login failed');
  let token = { value: login.access_token, expires: Date.now() + login.expires_in * 1000 };

  const api = createAutoServeClient({
    baseUrl,
    auth: {
      // Called before every request: a token about to expire is refreshed first.
      bearer: async () => {
        if (token.expires - Date.now() < 60_000) {
          const { data } = await autoserve.POST('/auth/refresh', {
            body: { refresh_token: login.refresh_token! },
          });
          if (data) {
            token = { value: data.access_token, expires: Date.now() + data.expires_in * 1000 };
          }
        }
        return token.value;
      },
    },
  });
  const { data: task } = await api.POST('/tasks', {
    body: {
      title: 'Say 42',
      task_type: 'code',
      priority: 'high',
      parameters: { language: 'python', source: 'print(42)' },
    },
  });
  // task?.status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled'
  // #endregion README
  return { login, task: task!, token: () => token };
}
