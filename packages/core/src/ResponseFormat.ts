/**
 * `response_format`: free text, any JSON object, or JSON that follows a given JSON Schema.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The JSON Schema that structured output must follow, with its name.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonSchemaFormat = Schema.Struct({
  name: Schema.String.check(Schema.isMinLength(1)),
  description: Schema.optionalKey(Schema.String),
  schema: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  strict: Schema.optionalKey(Schema.Boolean)
})

/**
 * The three response formats xAI accepts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFormat = Schema.Union([
  Schema.Struct({ type: Schema.Literal("text") }),
  Schema.Struct({ type: Schema.Literal("json_object") }),
  Schema.Struct({ type: Schema.Literal("json_schema"), json_schema: JsonSchemaFormat })
])

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseFormat = typeof ResponseFormat.Type
