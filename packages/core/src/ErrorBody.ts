/**
 * The error bodies xAI sends, in all three shapes: `{ code, error }` (gRPC status text and a
 * message, the usual one), `{ error: "..." }` (e.g. the 410 for Live Search), and the
 * OpenAI-style `{ error: { message, type, code } }`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { optionalNullable } from "./WireSchema.ts"

/**
 * `{ "code": "Client specified an invalid argument", "error": "..." }`
 *
 * @since 0.1.0
 * @category schemas
 */
export const StatusErrorBody = Schema.Struct({
  code: Schema.String,
  error: Schema.String
})

/**
 * `{ "error": "Live search is deprecated. ..." }`
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageErrorBody = Schema.Struct({
  error: Schema.String
})

/**
 * `{ "error": { "message": "...", "type": "invalid_request_error", "code": "invalid_value" } }`
 *
 * @since 0.1.0
 * @category schemas
 */
export const ObjectErrorBody = Schema.Struct({
  error: Schema.Struct({
    message: Schema.String,
    type: optionalNullable(Schema.String),
    code: optionalNullable(Schema.Union([Schema.String, Schema.Finite]))
  })
})

/**
 * Any of the three error shapes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorBody = Schema.Union([StatusErrorBody, ObjectErrorBody, MessageErrorBody])

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorBody = typeof ErrorBody.Type

/**
 * The human-readable message of an error body.
 *
 * @since 0.1.0
 * @category accessors
 */
export const errorBodyMessage = (body: ErrorBody): string =>
  typeof body.error === "string" ? body.error : body.error.message

/**
 * The machine-readable code of an error body, when it has one.
 *
 * @since 0.1.0
 * @category accessors
 */
export const errorBodyCode = (body: ErrorBody): string | undefined => {
  if ("code" in body) return body.code
  if (typeof body.error === "object" && body.error.code != null) return String(body.error.code)
  return undefined
}

const isErrorBody = Schema.is(ErrorBody)

/**
 * Reads an error body out of a parsed JSON value, or `undefined` if the value is not one.
 * A completion (which has `choices`) is never taken for an error.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseErrorBody = (value: unknown): ErrorBody | undefined =>
  typeof value === "object" && value !== null && !("choices" in value) && isErrorBody(value) ? value : undefined
