/**
 * Schema validation. Bodies are checked strictly: no type coercion ("5" is not 5) and,
 * where a schema says so, no unknown fields. Query strings, params and headers arrive
 * as text, so those are coerced. Every error is reported (allErrors) so a client sees
 * all of what is wrong at once.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { compileOnFirstUse } from './compile-on-first-use.ts';

function build(options: Options): Ajv {
  const ajv = new Ajv({
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
    ...options,
  });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

const bodyAjv = build({ coerceTypes: false });
const textAjv = build({ coerceTypes: 'array' });

/** Marks a body schema as optional: a request without a body passes, one with a body is checked. */
export const OPTIONAL_BODY = 'x-optional-body';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  // Compiled on the route's first request (compile-on-first-use.ts): an idle server holds none.
  const validate = compileOnFirstUse(() => ajv.compile(schema as object) as Validate);
  if (httpPart !== 'body' || !(schema as Record<string, unknown>)[OPTIONAL_BODY])
    return validate as never;
  const optional: Validate = (data) => {
    // Fastify hands an absent body to validators as null.
    if (data === undefined || data === null) return true;
    const ok = validate(data);
    optional.errors = validate.errors;
    return ok;
  };
  return optional as never;
};
