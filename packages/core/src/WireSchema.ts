/**
 * Building blocks shared by the wire Schemas: bounded numbers, and the nullable optional
 * fields that xAI's responses use for "absent".
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A finite JSON number between `minimum` and `maximum`, both inclusive.
 *
 * @example
 * ```ts
 * const Temperature = NumberBetween(0, 2)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const NumberBetween = (minimum: number, maximum: number) =>
  Schema.Finite.check(Schema.isBetween({ minimum, maximum }))

/**
 * A JSON integer strictly greater than zero (JSON Schema `exclusiveMinimum: 0`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PositiveInteger = Schema.Int.check(Schema.isGreaterThan(0))

/**
 * A JSON integer greater than or equal to zero: token counts and indexes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NonNegativeInteger = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * An optional key whose value may also be JSON `null`, as xAI sends for absent response fields.
 *
 * @since 0.1.0
 * @category schemas
 */
export const optionalNullable = <S extends Schema.Top>(schema: S) => Schema.optionalKey(Schema.NullOr(schema))

/**
 * Parse options for request-side Schemas: every issue is reported, and an unknown key is an
 * error (the seed schema says `additionalProperties: false`).
 *
 * @since 0.1.0
 * @category options
 */
export const strictParseOptions = { errors: "all", onExcessProperty: "error", reportInput: true } as const

/**
 * Parse options for response-side Schemas: every issue is reported, and unknown keys are
 * ignored so that a field xAI adds tomorrow never breaks a decode.
 *
 * @since 0.1.0
 * @category options
 */
export const tolerantParseOptions = { errors: "all", onExcessProperty: "ignore", reportInput: true } as const
