/**
 * Single sign-on through CMBCluster's OpenID Connect login. `startSso` asks the API for
 * the provider's URL (`POST /cmb/auth/login`, which also sets the cookie binding the
 * login to this browser) and goes there; the provider sends the browser back to
 * `/cmb/auth/callback`, which sets the HttpOnly session cookie and redirects to `/`,
 * which brings the browser back here.
 *
 * The page cannot read that cookie, and the live socket authenticates with a token, so
 * `resumeSso` trades it for an access token of the same session through Task Assistant's
 * `POST /auth/refresh` (authenticated by the cookie; a POST from this origin passes the
 * API's same-origin check): signing out ends both. Without Task Assistant the console
 * runs on the cookie alone. Only tried after a sign-on this tab started (the refresh
 * endpoint is rate-limited per address, so it is not probed on every visit).
 */
import { cmbcluster, codeep, errorMessage, taskAssistant } from './api';
import { setSession } from './session';
import { settings } from './settings';

const PENDING = 'tasklane.sso-pending';

/** Starts the sign-on: the browser leaves for the provider (or this throws the API's reason). */
export async function startSso(): Promise<void> {
  const { data, error, response } = await cmbcluster.POST('/auth/login');
  if (!data) throw new Error(errorMessage(error, `HTTP ${response.status}`));
  sessionStorage.setItem(PENDING, '1');
  window.location.assign(data.auth_url);
}

/** Whether this tab left for the provider and has not finished signing in since. */
export function ssoPending(): boolean {
  return sessionStorage.getItem(PENDING) === '1';
}

let resuming: Promise<void> | undefined;

/** Turns the session cookie left by the callback into the console's session. */
export function resumeSso(): Promise<void> {
  resuming ??= resume().finally(() => {
    sessionStorage.removeItem(PENDING);
    resuming = undefined;
  });
  return resuming;
}

async function resume(): Promise<void> {
  let token: string | null = null;
  if ('taskassistant' in settings.mounts) {
    const refreshed = await taskAssistant.POST('/auth/refresh', { body: {} });
    if (!refreshed.data) {
      throw new Error(errorMessage(refreshed.error, 'The single sign-on did not complete'));
    }
    token = refreshed.data.access_token;
  }
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  let username: string;
  if ('codeep' in settings.mounts) {
    const me = await codeep.GET('/auth/me', { headers });
    if (!me.data) throw new Error(errorMessage(me.error, 'The single sign-on did not complete'));
    username = me.data.user.username;
  } else {
    const me = await cmbcluster.GET('/users/me', { headers });
    if (!me.data) throw new Error(errorMessage(me.error, 'The single sign-on did not complete'));
    username = me.data.data.email;
  }
  setSession({ token, username, via: 'sso' });
}
