/**
 * The events of a streamed response (`stream: true` on `POST /v1/responses`): typed events
 * numbered by `sequence_number`, from `response.created` to one terminal event
 * (`response.completed`, `response.incomplete`, `response.failed`; some servers say
 * `response.done`) that carries the whole response. In between: output items added and done,
 * text deltas, annotations added (`url_citation`), function-call argument deltas (streamed
 * incrementally here, unlike chat), reasoning summary deltas, and the progress of server-side
 * searches (`response.web_search_call.searching`, ...).
 *
 * Decoding is tolerant: an event of a type this module does not know decodes as
 * `{ type, sequence_number? }` and can be skipped; a known type with a wrong shape fails.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Annotation, OutputContent, OutputItem, ResponsesResponse } from "./ResponsesResponse.ts"
import { NonNegativeInteger, optionalNullable } from "./WireSchema.ts"

const sequence = { sequence_number: optionalNullable(NonNegativeInteger) }
const itemPosition = { item_id: Schema.String, output_index: NonNegativeInteger }
const contentPosition = { ...itemPosition, content_index: NonNegativeInteger }

/**
 * The types of the events that end a stream; each carries the final response.
 *
 * @since 0.1.0
 * @category constants
 */
export const terminalEventTypes = [
  "response.completed",
  "response.incomplete",
  "response.failed",
  "response.done"
] as const

/**
 * The response was created, is in progress, or ended (the terminal types).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseLifecycleEvent = Schema.Struct({
  type: Schema.Literals(["response.created", "response.in_progress", "response.queued", ...terminalEventTypes]),
  ...sequence,
  response: ResponsesResponse
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseLifecycleEvent = typeof ResponseLifecycleEvent.Type

/**
 * An output item started or is complete (server-side search calls arrive whole here).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputItemEvent = Schema.Struct({
  type: Schema.Literals(["response.output_item.added", "response.output_item.done"]),
  ...sequence,
  output_index: NonNegativeInteger,
  item: OutputItem
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputItemEvent = typeof OutputItemEvent.Type

/**
 * A content part of a message started or is complete.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentPartEvent = Schema.Struct({
  type: Schema.Literals(["response.content_part.added", "response.content_part.done"]),
  ...sequence,
  ...contentPosition,
  part: OutputContent
})

/**
 * A piece of the answer's text.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputTextDeltaEvent = Schema.Struct({
  type: Schema.Literal("response.output_text.delta"),
  ...sequence,
  ...contentPosition,
  delta: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputTextDeltaEvent = typeof OutputTextDeltaEvent.Type

/**
 * The whole text of one content part.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputTextDoneEvent = Schema.Struct({
  type: Schema.Literal("response.output_text.done"),
  ...sequence,
  ...contentPosition,
  text: Schema.String
})

/**
 * An annotation was added to the text, e.g. a `url_citation`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnnotationAddedEvent = Schema.Struct({
  type: Schema.Literal("response.output_text.annotation.added"),
  ...sequence,
  ...contentPosition,
  annotation_index: optionalNullable(NonNegativeInteger),
  annotation: Annotation
})

/**
 * @since 0.1.0
 * @category models
 */
export type AnnotationAddedEvent = typeof AnnotationAddedEvent.Type

/**
 * A piece of a function call's arguments.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionCallArgumentsDeltaEvent = Schema.Struct({
  type: Schema.Literal("response.function_call_arguments.delta"),
  ...sequence,
  ...itemPosition,
  delta: Schema.String
})

/**
 * A function call's whole arguments.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionCallArgumentsDoneEvent = Schema.Struct({
  type: Schema.Literal("response.function_call_arguments.done"),
  ...sequence,
  ...itemPosition,
  arguments: Schema.String
})

/**
 * A piece of the reasoning summary (or of the reasoning text, where the model shows it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReasoningDeltaEvent = Schema.Struct({
  type: Schema.Literals(["response.reasoning_summary_text.delta", "response.reasoning_text.delta"]),
  ...sequence,
  ...itemPosition,
  delta: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type ReasoningDeltaEvent = typeof ReasoningDeltaEvent.Type

/**
 * Progress of a server-side search (`in_progress`, `searching`, `completed`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchProgressEvent = Schema.Struct({
  type: Schema.Literals([
    "response.web_search_call.in_progress",
    "response.web_search_call.searching",
    "response.web_search_call.completed",
    "response.x_search_call.in_progress",
    "response.x_search_call.searching",
    "response.x_search_call.completed"
  ]),
  ...sequence,
  ...itemPosition
})

/**
 * An error reported inside the stream.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StreamErrorEvent = Schema.Struct({
  type: Schema.Literal("error"),
  ...sequence,
  code: optionalNullable(Schema.String),
  message: Schema.String,
  param: optionalNullable(Schema.String)
})

const knownTypes: ReadonlyArray<string> = [
  ...ResponseLifecycleEvent.fields.type.literals,
  ...OutputItemEvent.fields.type.literals,
  ...ContentPartEvent.fields.type.literals,
  "response.output_text.delta",
  "response.output_text.done",
  "response.output_text.annotation.added",
  "response.function_call_arguments.delta",
  "response.function_call_arguments.done",
  ...ReasoningDeltaEvent.fields.type.literals,
  ...SearchProgressEvent.fields.type.literals,
  "error"
]
const knownTypeSet = new Set(knownTypes)

/**
 * An event of another type (kept, not interpreted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OtherStreamEvent = Schema.Struct({
  type: Schema.String.check(
    Schema.makeFilter<string>((type) => !knownTypeSet.has(type), {
      expected: "an event type this module does not know"
    })
  ),
  ...sequence
})

/**
 * Any event of a streamed response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesStreamEvent = Schema.Union([
  OutputTextDeltaEvent,
  ResponseLifecycleEvent,
  OutputItemEvent,
  ContentPartEvent,
  OutputTextDoneEvent,
  AnnotationAddedEvent,
  FunctionCallArgumentsDeltaEvent,
  FunctionCallArgumentsDoneEvent,
  ReasoningDeltaEvent,
  SearchProgressEvent,
  StreamErrorEvent,
  OtherStreamEvent
])

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesStreamEvent = typeof ResponsesStreamEvent.Type

const terminal: ReadonlySet<string> = new Set(terminalEventTypes)

/**
 * Whether an event ends the stream (and carries the final response).
 *
 * @since 0.1.0
 * @category guards
 */
export const isTerminalEvent = (event: ResponsesStreamEvent): event is ResponseLifecycleEvent =>
  terminal.has(event.type)
