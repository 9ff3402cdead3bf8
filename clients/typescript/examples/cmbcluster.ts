/**
 * README, CMBCluster: in a browser, sign in through the OpenID Connect provider (the
 * callback sets the session cookie), then call with that cookie. `signIn` stands for
 * sending the browser to the provider (`location.assign(authUrl)`: the code after it
 * runs once the provider has sent the browser back). test/clients/typescript.test.ts
 * runs it against a real server and provider, with a fetch that keeps cookies and sets
 * `Origin` the way a browser does.
 */
import { createCmbClusterClient } from '@tasklane/client/cmbcluster';

export async function cmbclusterExample(
  baseUrl: string,
  signIn: (authUrl: string) => Promise<void>,
) {
  // #region README
  const cmb = createCmbClusterClient({ baseUrl, auth: { cookie: true } });
  const { data: login } = await cmb.POST('/auth/login');
  await signIn(login!.auth_url); // the provider's page; its callback sets the session cookie

  const { data: me } = await cmb.GET('/users/me'); // me?.data.email: 'ada@example.org'
  const { data: saved } = await cmb.POST('/user-env-vars', {
    body: { key: 'OPENAI_API_KEY', value: 'sk-test-123' },
  });
  // saved?.data.value: '***encrypted***' (the value is never shown again)
  // #endregion README
  return { me: me!, saved: saved! };
}
