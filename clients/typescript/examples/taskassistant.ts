/**
 * README, Task Assistant: register (a user and their tenant), log in, create a task. The
 * client adds the `/api/v1` its paths start with. test/clients/typescript.test.ts runs
 * it against a real server.
 */
import { createTaskAssistantClient } from '@tasklane/client/taskassistant';

export async function taskAssistantExample(baseUrl: string) {
  // #region README
  const assistant = createTaskAssistantClient({ baseUrl });
  const { data: user } = await assistant.POST('/auth/register', {
    body: {
      email: 'user@example.com',
      password: 'SecureP@ssw0rd123',
      full_name: 'John Doe',
      tenant_name: 'Acme Corp',
    },
  }); // user?.role: 'admin' of the new tenant
  const { data: login } = await assistant.POST('/auth/login', {
    body: { email: 'user@example.com', password: 'SecureP@ssw0rd123' },
  });

  const api = createTaskAssistantClient({ baseUrl, auth: { bearer: login!.access_token } });
  const { data: task } = await api.POST('/tasks', {
    body: { title: 'Analyze quarterly sales data', priority: 'high' },
  });
  // task?.status: 'pending' | 'completed' | 'failed'; task?.priority: 'low' | 'medium' | 'high'
  // #endregion README
  return { user: user!, task: task! };
}
