/**
 * What every surface's client shares: its base URL (the server, the surface's mount, the
 * surface's own path prefix) and the auth middleware. Plain ESM with its types in
 * core.d.ts, so the package runs as installed: no build, no TypeScript needed at run time.
 */
import createClient from 'openapi-fetch';

/**
 * `baseUrl` + mount + base path, without a trailing slash: a mount of `/` adds nothing.
 * @param {string} baseUrl
 * @param {string} mount
 * @param {string} basePath
 * @returns {string}
 */
export function surfaceBaseUrl(baseUrl, mount, basePath) {
  const server = baseUrl.replace(/\/+$/, '');
  const prefix = `/${mount}/`.replace(/\/{2,}/g, '/').slice(0, -1);
  return `${server}${prefix}${basePath}`;
}

/**
 * Sends the credentials of `auth` with every request (a header the caller set on the
 * request itself wins). A cookie session needs no header: see createSurfaceClient.
 * @param {import('./core.js').Auth} auth
 * @returns {import('openapi-fetch').Middleware}
 */
export function authMiddleware(auth) {
  return {
    async onRequest({ request }) {
      if (auth.bearer !== undefined) {
        if (request.headers.has('authorization')) return undefined;
        const token = typeof auth.bearer === 'function' ? await auth.bearer() : auth.bearer;
        if (token) request.headers.set('authorization', `Bearer ${token}`);
      } else if (auth.apiKey !== undefined) {
        if (request.headers.has('x-api-key')) return undefined;
        request.headers.set('x-api-key', auth.apiKey);
        if (auth.userId !== undefined) request.headers.set('x-user-id', String(auth.userId));
      }
      return undefined;
    },
  };
}

/**
 * Requests to `paths` go to the server's root whatever the surface's mount (AutoServe's
 * /health, /info and /metrics are platform routes, served at the root).
 * @param {string} baseUrl
 * @param {readonly string[]} paths
 * @returns {import('openapi-fetch').Middleware}
 */
function rootPaths(baseUrl, paths) {
  const server = baseUrl.replace(/\/+$/, '');
  return {
    onRequest({ request, schemaPath }) {
      if (!paths.includes(schemaPath)) return undefined;
      return new Request(`${server}${schemaPath}${new URL(request.url).search}`, request);
    },
  };
}

/**
 * One surface's openapi-fetch client. A cookie session sends the browser's cookies
 * (`credentials: 'include'`) and adds no header: the server's CSRF rule for
 * cookie-authenticated requests that change state looks at the `Origin` (and
 * `Sec-Fetch-Site`) header, which the browser sets itself.
 * @param {import('./core.js').SurfaceClientOptions} options
 * @param {{ mount: string; basePath?: string; rootPaths?: readonly string[] }} surface
 */
export function createSurfaceClient(options, surface) {
  const { baseUrl, mount = surface.mount, auth, ...rest } = options;
  const client = createClient({
    ...(auth?.cookie ? { credentials: 'include' } : {}),
    ...rest,
    baseUrl: surfaceBaseUrl(baseUrl, mount, surface.basePath ?? ''),
  });
  if (auth) client.use(authMiddleware(auth));
  if (surface.rootPaths && surfaceBaseUrl('', mount, '') !== '') {
    client.use(rootPaths(baseUrl, surface.rootPaths));
  }
  return client;
}
