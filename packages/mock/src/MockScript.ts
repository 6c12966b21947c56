/**
 * Scripts: the exact answers a test wants from the mock, in order. Each chat completion request
 * that passes validation takes the next entry of its queue; when the queue is empty the mock
 * falls back to its deterministic policy (see `MockPolicy`).
 *
 * There is one default queue (`handle.enqueue`) and any number of named queues
 * (`handle.enqueueFor(name, ...)`), which a request selects with the `x-mock-script: <name>`
 * header, so that concurrent clients each get their own script.
 *
 * @example
 * ```ts
 * import { MockFault, MockScript } from "@grokit/mock"
 *
 * const script = [
 *   MockScript.toolCalls([{ name: "weather", arguments: { city: "Paris" } }]),
 *   MockScript.text("It is sunny in Paris.", { reasoningContent: "The tool said sunny." }),
 *   MockScript.httpError(500, { code: "Internal error", error: "boom" }),
 *   MockScript.fault(MockFault.dropMidStream({ after: 1 }))
 * ]
 * ```
 *
 * @since 0.1.0
 */
import type { Fault } from "./MockFault.ts"

/**
 * The request header that selects a named script queue.
 *
 * @since 0.1.0
 * @category constants
 */
export const headerName = "x-mock-script"

/**
 * A text answer, with optional reasoning text (`reasoning_content`) and finish reason (default
 * `"stop"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Text {
  readonly _tag: "Text"
  readonly content: string
  readonly reasoningContent: string | undefined
  readonly finishReason: string
}

/**
 * One tool call of a script: `arguments` is an object (sent as its JSON text) or a string sent
 * verbatim, so malformed JSON can be scripted. `id` defaults to the next `call_<8 digits>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptedToolCall {
  readonly name: string
  readonly arguments?: string | { readonly [key: string]: unknown } | undefined
  readonly id?: string | undefined
}

/**
 * An answer that calls tools (all in one message, or in one stream chunk), with optional text
 * and reasoning before the calls.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolCalls {
  readonly _tag: "ToolCalls"
  readonly calls: ReadonlyArray<ScriptedToolCall>
  readonly content: string | undefined
  readonly reasoningContent: string | undefined
}

/**
 * An HTTP error answer: status, body (an object is sent as JSON, a string verbatim) and headers.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpError {
  readonly _tag: "HttpError"
  readonly status: number
  readonly body: unknown
  readonly headers: { readonly [name: string]: string }
}

/**
 * Faults applied to this request; the answer itself comes from the policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultEntry {
  readonly _tag: "Fault"
  readonly faults: ReadonlyArray<Fault>
}

/**
 * One scripted answer.
 *
 * @since 0.1.0
 * @category models
 */
export type ScriptEntry = Text | ToolCalls | HttpError | FaultEntry

/**
 * A text answer.
 *
 * @example
 * ```ts
 * import { MockScript } from "@grokit/mock"
 *
 * MockScript.text("Hello")
 * // => { _tag: "Text", content: "Hello", reasoningContent: undefined, finishReason: "stop" }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (
  content: string,
  options?: { readonly reasoningContent?: string | undefined; readonly finishReason?: string | undefined }
): Text => ({
  _tag: "Text",
  content,
  reasoningContent: options?.reasoningContent,
  finishReason: options?.finishReason ?? "stop"
})

/**
 * An answer calling one or more tools.
 *
 * @example
 * ```ts
 * import { MockScript } from "@grokit/mock"
 *
 * MockScript.toolCalls([{ name: "weather", arguments: { city: "Paris" } }, { name: "clock", arguments: "{oops" }])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCalls = (
  calls: ReadonlyArray<ScriptedToolCall>,
  options?: { readonly content?: string | undefined; readonly reasoningContent?: string | undefined }
): ToolCalls => ({
  _tag: "ToolCalls",
  calls,
  content: options?.content,
  reasoningContent: options?.reasoningContent
})

/**
 * An answer calling one tool.
 *
 * @example
 * ```ts
 * import { MockScript } from "@grokit/mock"
 *
 * MockScript.toolCall("weather", { city: "Paris" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCall = (
  name: string,
  toolArguments?: string | { readonly [key: string]: unknown } | undefined
): ToolCalls => toolCalls([{ name, arguments: toolArguments }])

/**
 * An HTTP error answer.
 *
 * @example
 * ```ts
 * import { MockScript } from "@grokit/mock"
 *
 * MockScript.httpError(503, { code: "The service is currently unavailable", error: "try later" }, {
 *   headers: { "retry-after": "1" }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpError = (
  status: number,
  body: unknown,
  options?: { readonly headers?: { readonly [name: string]: string } | undefined }
): HttpError => ({ _tag: "HttpError", status, body, headers: options?.headers ?? {} })

/**
 * Faults for the request that takes this entry.
 *
 * @example
 * ```ts
 * import { MockFault, MockScript } from "@grokit/mock"
 *
 * MockScript.fault(MockFault.truncate(), MockFault.slowTokens(5))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fault = (...faults: ReadonlyArray<Fault>): FaultEntry => ({ _tag: "Fault", faults })
