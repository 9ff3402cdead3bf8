/**
 * The process logger (pino). Credentials never reach a log line: auth headers and
 * cookies are redacted, secret-looking query parameters are masked in URLs, and
 * request bodies are never logged.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_PARAMS =
  /^(token|access_token|refresh_token|api_key|apikey|key|secret|password|code|state)$/i;

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.api_key',
  '*.apiKey',
  '*.secret',
  '*.authorization',
];

/** Masks the values of secret-looking query parameters: /ws?token=abc → /ws?token=[redacted]. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAMS.test(decodeURIComponentSafe(name))
        ? `${name}=[redacted]`
        : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req(req: {
          method: string;
          url: string;
          ip?: string;
          id?: string;
          socket?: { remoteAddress?: string };
        }) {
          return {
            method: req.method,
            url: redactUrl(req.url),
            remoteAddress: req.ip ?? req.socket?.remoteAddress,
          };
        },
        res(res: { statusCode: number }) {
          return { statusCode: res.statusCode };
        },
        err: pino.stdSerializers.err,
      },
    },
    // Asynchronous by default: a write to stdout must not block the event loop on
    // every log line. pino flushes what is buffered when the process exits.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
