/**
 * The signed-in user's access token. Every surface accepts a token issued by any of
 * them (one identity), so the console signs in once through Codeep and sends the token
 * as a bearer header to all of them and in the WebSocket's auth message. Bearer tokens
 * are not sent by the browser on its own, so cross-site requests cannot use them (no
 * CSRF token needed). Kept in sessionStorage: it survives a reload but not the tab.
 */
const KEY = 'tasklane.session';

export interface Session {
  token: string;
  username: string;
  userId: number;
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
