/** TypeBox helpers shared by the surfaces' schemas. */
import { type TProperties, type TSchema, Type } from 'typebox';
import { OPTIONAL_BODY } from './validation.ts';

/** A request body object that refuses unknown fields (a typo should not be silently ignored). */
export const StrictObject = <T extends TProperties>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IsoTime = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** Any JSON value (for free-form result and metadata fields). */
export const AnyJson = Type.Unknown();

/** A free-form JSON object. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** Non-empty trimmed text with a sane upper bound. */
export const Text = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength });

/** A request body that may be left out entirely (but is checked when sent). */
export const OptionalBody = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, [OPTIONAL_BODY]: true });
