/**
 * Function tools offered to the model, and `tool_choice`, as they travel on the wire.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The JSON Schema of a function's arguments. xAI requires an object schema; any further JSON
 * Schema keyword (`additionalProperties`, `description`, `$defs`, ...) passes through.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionParameters = Schema.StructWithRest(
  Schema.Struct({
    type: Schema.Literal("object"),
    properties: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
    required: Schema.optionalKey(Schema.Array(Schema.String))
  }),
  [Schema.Record(Schema.String, Schema.Unknown)]
)

/**
 * @since 0.1.0
 * @category models
 */
export type FunctionParameters = typeof FunctionParameters.Type

/**
 * A function the model may call.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionDefinition = Schema.Struct({
  name: Schema.String.check(Schema.isMinLength(1)),
  description: Schema.optionalKey(Schema.String),
  parameters: Schema.optionalKey(FunctionParameters),
  strict: Schema.optionalKey(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export type FunctionDefinition = typeof FunctionDefinition.Type

/**
 * A tool on the wire: `{ "type": "function", "function": { ... } }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatTool = Schema.Struct({
  type: Schema.Literal("function"),
  function: FunctionDefinition
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChatTool = typeof ChatTool.Type

/**
 * Forces the model to call one named function.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NamedToolChoice = Schema.Struct({
  type: Schema.Literal("function"),
  function: Schema.Struct({ name: Schema.String })
})

/**
 * Which tool, if any, the model calls: `none`, `auto`, `required`, or one named function.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolChoice = Schema.Union([Schema.Literals(["none", "auto", "required"]), NamedToolChoice])

/**
 * @since 0.1.0
 * @category models
 */
export type ToolChoice = typeof ToolChoice.Type
