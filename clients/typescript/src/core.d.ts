import type { Client, ClientOptions, Middleware } from 'openapi-fetch';

/**
 * A bearer token (an access token, or an API key), or a function returning the current
 * one: it is called before every request, so it can refresh an expiring token.
 */
export type TokenSource =
  | string
  | (() => string | null | undefined | Promise<string | null | undefined>);

/** How the client authenticates: one of these. */
export type Auth =
  /** `Authorization: Bearer <token>` (every surface). */
  | { bearer: TokenSource; apiKey?: never; userId?: never; cookie?: never }
  /**
   * `X-API-Key` (the `api_key` Codeep's register and login return) and, when given,
   * `X-User-ID` (the user's id, which must be the key's owner), as CodeGuide and Codeep document.
   */
  | { apiKey: string; userId?: string | number; bearer?: never; cookie?: never }
  /**
   * The browser's session cookie (CMBCluster's sign-in sets it): requests are sent with
   * `credentials: 'include'`. Browsers only: elsewhere there is no cookie jar.
   */
  | { cookie: true; bearer?: never; apiKey?: never; userId?: never };

/** Options of every `create<Surface>Client`: openapi-fetch's, plus these. */
export interface SurfaceClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /**
   * The server's URL, e.g. `http://localhost:8000` (a path after the host is kept, for
   * a server behind a prefix). In a page the server itself serves: `location.origin`.
   */
  baseUrl: string;
  /**
   * Where the surface is mounted on that server (`TASKLANE_SURFACE_<NAME>_MOUNT`);
   * defaults to the server's default mount for that surface.
   */
  mount?: string;
  auth?: Auth;
}

/** The middleware that adds `auth`'s headers (for a client made with openapi-fetch directly). */
export declare function authMiddleware(auth: Auth): Middleware;

/** `baseUrl` + mount + base path, without a trailing slash. */
export declare function surfaceBaseUrl(baseUrl: string, mount: string, basePath: string): string;

export declare function createSurfaceClient<Paths extends {}>(
  options: SurfaceClientOptions,
  surface: { mount: string; basePath?: string; rootPaths?: readonly string[] },
): Client<Paths>;
