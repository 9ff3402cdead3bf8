/** TypeBox helpers shared by the surfaces' schemas. */
import { type TProperties, type TSchema, Type } from 'typebox';
import { OPTIONAL_BODY } from './validation.ts';

/** A request body object that refuses unknown fields (a typo should not be silently ignored). */
export const StrictObject = <T extends TProperties>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IsoTime = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** Non-empty trimmed text with a sane upper bound. */
export const Text = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength });

/** A request body that may be left out entirely (but is checked when sent). */
export const OptionalBody = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, [OPTIONAL_BODY]: true });

/**
 * Bounds for numbers in query strings. A number past what the databases take (an offset
 * of 1e308 is an integer to JSON Schema, and a bigint overflow to PostgreSQL) must be a
 * 4xx, so every numeric query parameter has an explicit range. One billion rows is far
 * past any real list, and page × page size stays an exact integer well inside int64.
 */
export const MAX_OFFSET = 1_000_000_000;

/** Upper bound for an epoch time in seconds in a query string (9999-12-31T23:59:59Z). */
export const MAX_EPOCH_SECONDS = 253_402_300_799;

/** `offset`: 0…MAX_OFFSET, default 0. */
export const Offset = () => Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 });

/** `limit` (or a page size): 1…max (the spec's maximum), with the spec's default. */
export const Limit = (max: number, fallback: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: fallback });

/** A 1-based page number whose offset, at pages of `pageSize` items, stays within MAX_OFFSET. */
export const PageNumber = (pageSize: number) =>
  Type.Integer({ minimum: 1, maximum: Math.floor(MAX_OFFSET / pageSize) + 1, default: 1 });

/**
 * A count the route caps itself (a spec says "more is capped at N"): accepted up to
 * MAX_OFFSET so the cap, not a 400, answers a large value; anything beyond is a 400.
 */
export const CappedCount = (fallback: number) =>
  Type.Integer({ minimum: 1, maximum: MAX_OFFSET, default: fallback });
