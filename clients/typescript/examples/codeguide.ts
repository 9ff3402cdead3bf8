/**
 * README, CodeGuide: its requests carry `X-API-Key` and `X-User-ID` (the spec's primary
 * authentication). The key comes from registering through Codeep (one identity spans
 * every surface). test/clients/typescript.test.ts runs it against a real server.
 */
import { createCodeepClient } from '@tasklane/client/codeep';
import { createCodeGuideClient } from '@tasklane/client/codeguide';

export async function codeguideExample(baseUrl: string) {
  // #region README
  const { data: account } = await createCodeepClient({ baseUrl }).POST('/auth/register', {
    body: { username: 'grace', email: 'grace@example.com', password: 'correct horse battery' },
  });
  const { api_key, id } = account!.user; // api_key: 'tl_…', id: 2

  const codeguide = createCodeGuideClient({ baseUrl, auth: { apiKey: api_key!, userId: id } });
  await codeguide.POST('/projects', {
    body: { title: 'Billing service', description: 'Invoices and payment reminders' },
  });
  const { data: projects } = await codeguide.GET('/projects');
  const titles = projects?.data.map((project) => project.title); // ['Billing service']
  // #endregion README
  return { account: account!, titles };
}
