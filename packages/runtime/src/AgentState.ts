/**
 * The state of an agent run as a Schema value: the conversation on the wire, every step, the
 * usage so far, and the tool calls waiting for approval. It encodes to JSON, so a paused run can
 * be saved anywhere and resumed later, in another process.
 *
 * @since 0.1.0
 */
import { ChatMessage, ToolCall } from "@grokit/core"
import { Schema } from "effect"
import { CitationSource } from "./CitationSource.ts"
import { RunUsage } from "./RunUsage.ts"

/**
 * Why a tool result is a failure the model can fix.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolFailureKind = Schema.Literals([
  "unknown-tool",
  "invalid-json",
  "invalid-arguments",
  "handler-failed",
  "timeout",
  "rejected"
])

/**
 * @since 0.1.0
 * @category models
 */
export type ToolFailureKind = typeof ToolFailureKind.Type

/**
 * The answer to one tool call, as sent to the model.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolResult = Schema.Struct({
  toolCallId: Schema.String,
  name: Schema.String,
  /** The text sent to the model as the tool message. */
  content: Schema.String,
  isFailure: Schema.Boolean,
  failure: Schema.optionalKey(ToolFailureKind),
  /** The handler's encoded result, when it ran. */
  result: Schema.optionalKey(Schema.Unknown),
  /** Whether the content was cut to the output cap. */
  truncated: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export type ToolResult = typeof ToolResult.Type

/**
 * A server-side tool call that xAI ran during a step: its type (`web_search_call`,
 * `x_search_call`, ...), xAI's tool name, its arguments (JSON text) and status.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServerToolCallRecord = Schema.Struct({
  type: Schema.String,
  name: Schema.optionalKey(Schema.String),
  arguments: Schema.optionalKey(Schema.String),
  status: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ServerToolCallRecord = typeof ServerToolCallRecord.Type

/**
 * One model call and what followed it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AgentStep = Schema.Struct({
  index: Schema.Int,
  text: Schema.String,
  reasoning: Schema.optionalKey(Schema.String),
  toolCalls: Schema.Array(ToolCall),
  toolResults: Schema.Array(ToolResult),
  finishReason: Schema.NullOr(Schema.String),
  usage: RunUsage,
  /** Server-side tool calls xAI ran in this step (Responses path): searches on the web and X. */
  serverToolCalls: Schema.optionalKey(Schema.Array(ServerToolCallRecord))
})

/**
 * @since 0.1.0
 * @category models
 */
export type AgentStep = typeof AgentStep.Type

/**
 * The state of a run.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AgentState = Schema.Struct({
  version: Schema.Literal(1),
  messages: Schema.Array(ChatMessage),
  steps: Schema.Array(AgentStep),
  usage: RunUsage,
  citations: Schema.Array(Schema.String),
  /** The cited sources with title, date and origin, when the run searched. */
  sources: Schema.optionalKey(Schema.Array(CitationSource)),
  /** The tool calls of the last step, when they wait for approval. */
  pending: Schema.Array(ToolCall)
})

/**
 * @since 0.1.0
 * @category models
 */
export type AgentState = typeof AgentState.Type

/**
 * The state as JSON text, and back, checked by the Schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AgentStateJson = Schema.fromJsonString(AgentState)

/**
 * Encodes a state to JSON text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = Schema.encodeSync(AgentStateJson)

/**
 * Decodes a state from JSON text (an Effect failing with a `SchemaError` that names the path).
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromJson = Schema.decodeUnknownEffect(AgentStateJson)
