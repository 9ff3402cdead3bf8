/**
 * Environment profiles: what an `image` name runs. Tasklane does not pull container
 * images; an image name maps (TASKLANE_ENV_IMAGES) to a profile, a command that serves
 * HTTP on the Unix socket `$TASKLANE_SOCKET` inside the sandbox. The spec's example
 * image resolves to the default profile, so the spec's clients work unchanged.
 */

export interface EnvironmentProfile {
  name: string;
  /** The command, inside the sandbox (cwd /workspace). */
  argv: string[];
  /** Read-only files the command needs, placed outside the workspace. */
  dataFiles: { inside: string; content: string }[];
  /** Whether the profile needs the network (granted only if the operator allows it). */
  network: boolean;
}

/**
 * `python3 -m http.server` for a Unix socket: serves the workspace (read-only view of
 * what the user uploaded or made). Debian's python3 is all it needs.
 */
const SERVE_PY = `import functools, http.server, os, socketserver
path = os.environ["TASKLANE_SOCKET"]
try:
    os.unlink(path)
except FileNotFoundError:
    pass

class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

class Handler(http.server.SimpleHTTPRequestHandler):
    def address_string(self):
        return "proxy"

with Server(path, functools.partial(Handler, directory="/workspace")) as httpd:
    httpd.serve_forever()
`;

const PROFILES: Record<string, EnvironmentProfile> = {
  'python-http': {
    name: 'python-http',
    argv: ['/usr/bin/python3', '-u', '/opt/tasklane/serve.py'],
    dataFiles: [{ inside: '/opt/tasklane/serve.py', content: SERVE_PY }],
    network: false,
  },
};

/**
 * The profile an image name runs (operators' profiles from TASKLANE_ENV_PROFILES_FILE
 * first, then the built-in ones), or undefined when the image is not configured.
 */
export function profileForImage(
  settings: { images: Record<string, string>; profiles: Record<string, EnvironmentProfile> },
  image: string,
): EnvironmentProfile | undefined {
  const name = settings.images[image];
  if (name === undefined) return undefined;
  return settings.profiles[name] ?? PROFILES[name];
}

/** The built-in profiles' names. */
export const BUILT_IN_PROFILES = Object.keys(PROFILES);
