/**
 * The signed-in user's session. Every surface accepts a token issued by any of them (one
 * identity), so the console sends the access token as a bearer header to all of them and
 * in the WebSocket's auth message. Bearer tokens are not sent by the browser on its own,
 * so cross-site requests cannot use them (no CSRF token needed). Kept in sessionStorage:
 * it survives a reload but not the tab.
 *
 * A password sign-in (Codeep) gets its token from the login. A single sign-on (CMBCluster's
 * OpenID Connect) ends with an HttpOnly session cookie instead, which the page cannot
 * read: lib/sso.ts trades it for an access token of the same session (`via: 'sso'`), or,
 * without Task Assistant to do that, runs on the cookie alone (`token: null`; same-origin
 * requests carry it and pass the API's same-origin check).
 */
const KEY = 'tasklane.session';

export interface Session {
  /** The bearer token; null when the session cookie alone authenticates. */
  token: string | null;
  username: string;
  /** How the user signed in: the sign-out of a single sign-on also clears the cookie. */
  via: 'password' | 'sso';
}

type Listener = () => void;
const listeners = new Set<Listener>();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

let current = load();

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
