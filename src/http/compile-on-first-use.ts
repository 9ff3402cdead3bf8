/**
 * Request schemas compiled on a route's first request rather than at start-up. Fastify
 * builds every route's validators (ajv) as routes are registered: generated code for
 * hundreds of routes over five surfaces, most of which an idle server never serves
 * (≈5 MB of an idle server's RSS). Compiled lazily, each costs nothing until used and the
 * same afterwards. A schema that cannot compile still fails loudly — on its route's first
 * request, which the bad-input tests make for every route. (Response serializers were
 * tried the same way: under 1 MB, not worth a dependency of our own.)
 */

type Compiled<F> = F & { errors?: unknown };

/** A function that compiles itself on first call (and copies `errors`, which Fastify reads). */
export function compileOnFirstUse<F extends (...args: never[]) => unknown>(
  compile: () => Compiled<F>,
): Compiled<F> {
  let compiled: Compiled<F> | undefined;
  const lazy = ((...args: Parameters<F>) => {
    compiled ??= compile();
    const result = compiled(...args);
    lazy.errors = compiled.errors;
    return result;
  }) as Compiled<F>;
  return lazy;
}
