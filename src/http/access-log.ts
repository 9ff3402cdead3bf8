/**
 * One access-log line per response, written by the process logger (asynchronously:
 * see logger.ts), instead of Fastify's two lines per request. It carries only the
 * fields it names (never headers or bodies), so no redaction pass is needed for it, and
 * request loggers are created only when a handler logs (lazyChildLogger).
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { redactUrl } from './logger.ts';

export function installAccessLog(app: FastifyInstance, log: Logger): void {
  // A child without redaction: the line below never holds a secret (its URL is masked).
  const access = log.child({}, { redact: [] });
  if (!access.isLevelEnabled('info')) return;
  app.addHook('onResponse', (request, reply, done) => {
    access.info(
      {
        reqId: request.id,
        method: request.method,
        url: redactUrl(request.url),
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });
}

/**
 * Fastify's childLoggerFactory: the request's logger (bound to its request id) is made
 * the first time something logs with it, not for every request.
 */
export function lazyChildLogger(
  this: FastifyInstance,
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  const real = () => {
    child ??= logger.child(bindings, options);
    return child;
  };
  return {
    get level() {
      return logger.level;
    },
    set level(value: string) {
      real().level = value;
    },
    fatal: (...args: Parameters<FastifyBaseLogger['fatal']>) => real().fatal(...args),
    error: (...args: Parameters<FastifyBaseLogger['error']>) => real().error(...args),
    warn: (...args: Parameters<FastifyBaseLogger['warn']>) => real().warn(...args),
    info: (...args: Parameters<FastifyBaseLogger['info']>) => real().info(...args),
    debug: (...args: Parameters<FastifyBaseLogger['debug']>) => real().debug(...args),
    trace: (...args: Parameters<FastifyBaseLogger['trace']>) => real().trace(...args),
    silent: (...args: Parameters<FastifyBaseLogger['silent']>) => real().silent(...args),
    child: (more: Bindings, moreOptions?: ChildLoggerOptions) => real().child(more, moreOptions),
  } as FastifyBaseLogger;
}
