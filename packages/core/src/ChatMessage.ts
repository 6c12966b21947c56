/**
 * Chat messages as they travel on the wire to `POST /v1/chat/completions`: the four roles,
 * content parts (`text`, `image_url`), assistant `tool_calls` and `reasoning_content`, and tool
 * results with their `tool_call_id`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A text content part: `{ "type": "text", "text": "..." }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TextContentPart = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type TextContentPart = typeof TextContentPart.Type

/**
 * How closely the model looks at an image: `low` costs fewer input tokens.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageDetail = Schema.Literals(["low", "high", "auto"])

/**
 * An image content part: `{ "type": "image_url", "image_url": { "url", "detail"? } }`. The URL is
 * `https://...` or a `data:<mime>;base64,...` URL.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageUrlContentPart = Schema.Struct({
  type: Schema.Literal("image_url"),
  image_url: Schema.Struct({
    url: Schema.String,
    detail: Schema.optionalKey(ImageDetail)
  })
})

/**
 * @since 0.1.0
 * @category models
 */
export type ImageUrlContentPart = typeof ImageUrlContentPart.Type

/**
 * One part of a multi-part message content.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentPart = Schema.Union([TextContentPart, ImageUrlContentPart])

/**
 * @since 0.1.0
 * @category models
 */
export type ContentPart = typeof ContentPart.Type

/**
 * Message content: a string, or an array of parts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageContent = Schema.Union([Schema.String, Schema.Array(ContentPart)])

/**
 * @since 0.1.0
 * @category models
 */
export type MessageContent = typeof MessageContent.Type

/**
 * A function call made by the assistant: `arguments` is a JSON text, not an object.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolCall = Schema.Struct({
  id: Schema.String,
  type: Schema.Literal("function"),
  function: Schema.Struct({
    name: Schema.String,
    arguments: Schema.String
  })
})

/**
 * @since 0.1.0
 * @category models
 */
export type ToolCall = typeof ToolCall.Type

/**
 * A system message: instructions for the model.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SystemMessage = Schema.Struct({
  role: Schema.Literal("system"),
  content: MessageContent,
  name: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type SystemMessage = typeof SystemMessage.Type

/**
 * A user message. Only user messages may carry a `name` on xAI.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: MessageContent,
  name: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type UserMessage = typeof UserMessage.Type

/**
 * An assistant message replayed into the conversation: its text (may be `null` or absent when it
 * only calls tools), the tool calls it made, and the reasoning it showed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: Schema.optionalKey(Schema.NullOr(MessageContent)),
  name: Schema.optionalKey(Schema.String),
  reasoning_content: Schema.optionalKey(Schema.String),
  tool_calls: Schema.optionalKey(Schema.Array(ToolCall))
})

/**
 * @since 0.1.0
 * @category models
 */
export type AssistantMessage = typeof AssistantMessage.Type

/**
 * The result of one tool call, answering the assistant's call with the same `tool_call_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolMessage = Schema.Struct({
  role: Schema.Literal("tool"),
  content: MessageContent,
  tool_call_id: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type ToolMessage = typeof ToolMessage.Type

/**
 * Any message of a chat completion request, discriminated by `role`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatMessage = Schema.Union([SystemMessage, UserMessage, AssistantMessage, ToolMessage])

/**
 * @since 0.1.0
 * @category models
 */
export type ChatMessage = typeof ChatMessage.Type
