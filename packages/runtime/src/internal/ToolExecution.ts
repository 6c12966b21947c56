/**
 * Runs one tool call and turns every outcome into the tool message the model reads: the result,
 * or a failure it can fix (unknown tool, invalid JSON, arguments failing the Schema, handler
 * failure or defect, timeout), the content capped in size. Interruption is the only outcome that
 * is not a tool message: it ends the run, after the handler's finalizers ran.
 *
 * @internal
 */
import type { ToolCall } from "@grokit/core"
import { Cause, Context, Duration, Effect, Exit, Option, Schema, Stream } from "effect"
import { AiError, Tool } from "effect/ai"
import type { Toolkit } from "effect/ai"
import type { ToolResult } from "../AgentState.ts"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Cuts a text to at most `maxBytes` UTF-8 bytes (never inside a character) and says so. */
export const capContent = (content: string, maxBytes: number): { content: string; truncated: boolean } => {
  if (content.length <= maxBytes / 3) return { content, truncated: false }
  const bytes = encoder.encode(content)
  if (bytes.length <= maxBytes) return { content, truncated: false }
  let end = maxBytes
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
  return {
    content: `${
      decoder.decode(bytes.subarray(0, end))
    }\n[truncated: the output was ${bytes.length} bytes; the limit is ${maxBytes}]`,
    truncated: true
  }
}

const asText = (value: unknown): string => {
  if (typeof value === "string") return value === "" ? "(empty result)" : value
  if (value === undefined) return "(no result)"
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    if ("message" in error && typeof error.message === "string" && error.message !== "") return error.message
    try {
      return JSON.stringify(error)
    } catch {
      return String(error)
    }
  }
  return String(error)
}

/** @internal */
export interface ExecutionOptions {
  readonly timeout: Duration.Duration
  readonly maxOutputBytes: number
}

/** @internal */
export const execute = (
  toolkit: Toolkit.WithHandler<any>,
  call: ToolCall,
  options: ExecutionOptions
): Effect.Effect<ToolResult, never, any> => {
  const name = call.function.name
  const base = { toolCallId: call.id, name }
  const failure = (kind: ToolResult["failure"] & string, message: string): ToolResult => {
    const capped = capContent(`Error: ${message}`, options.maxOutputBytes)
    return { ...base, content: capped.content, isFailure: true, failure: kind, truncated: capped.truncated }
  }
  if (!Object.hasOwn(toolkit.tools, name)) {
    const available = Object.keys(toolkit.tools)
    return Effect.succeed(failure(
      "unknown-tool",
      `there is no tool named ${JSON.stringify(name)}. ` +
        (available.length === 0 ? "No tools are available." : `Available tools: ${available.join(", ")}.`)
    ))
  }
  let parameters: unknown
  const text = call.function.arguments.trim()
  try {
    parameters = text === "" ? {} : JSON.parse(text)
  } catch (error) {
    return Effect.succeed(failure(
      "invalid-json",
      `the arguments of ${name} are not valid JSON (${describeError(error)}). Call ${name} again with a JSON object.`
    ))
  }
  const tool = toolkit.tools[name] as Tool.Any
  const viaToolkit = Effect.flatMap(
    toolkit.handle(name, parameters as never, call.id),
    (results) => Stream.runLast(results as Stream.Stream<any, unknown, never>)
  )
  return Effect.contextWith((context: Context.Context<never>) => {
    const handler = Tool.isProviderDefined(tool)
      ? undefined
      : context.mapUnsafe.get(tool.id) as Tool.Handler<string> | undefined
    return handler === undefined ? viaToolkit : handleDirectly(tool, handler, parameters, call.id)
  }).pipe(
    Effect.timeoutOrElse({
      duration: options.timeout,
      orElse: () => Effect.fail(new ToolTimeout())
    }),
    Effect.exit,
    Effect.flatMap((exit): Effect.Effect<ToolResult> => {
      if (Exit.isSuccess(exit)) {
        const last = exit.value
        if (last._tag === "None") return Effect.succeed(failure("handler-failed", `${name} returned no result`))
        const handled = last.value as {
          readonly encodedResult: unknown
          readonly isFailure: boolean
          readonly result: unknown
        }
        if (
          handled.isFailure && AiError.isAiError(handled.result) &&
          handled.result.reason._tag === "ToolParameterValidationError"
        ) {
          return Effect.succeed(invalidArguments(failure, name, handled.result))
        }
        const capped = capContent(
          handled.isFailure ? `Error: ${asText(handled.encodedResult)}` : asText(handled.encodedResult),
          options.maxOutputBytes
        )
        return Effect.succeed({
          ...base,
          content: capped.content,
          isFailure: handled.isFailure,
          ...(handled.isFailure ? { failure: "handler-failed" as const } : {}),
          result: handled.encodedResult,
          truncated: capped.truncated
        })
      }
      const cause = exit.cause
      if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
      const error = cause.reasons.find(Cause.isFailReason)?.error
      if (error instanceof ToolTimeout) {
        return Effect.succeed(failure("timeout", `${name} did not finish within ${Duration.format(options.timeout)}`))
      }
      if (error !== undefined) {
        if (AiError.isAiError(error) && error.reason._tag === "ToolParameterValidationError") {
          return Effect.succeed(invalidArguments(failure, name, error))
        }
        return Effect.succeed(failure("handler-failed", `${name} failed: ${describeError(error)}`))
      }
      const defect = cause.reasons.find(Cause.isDieReason)?.defect
      return Effect.succeed(
        failure("handler-failed", `${name} failed: ${describeError(defect ?? Cause.pretty(cause))}`)
      )
    })
  )
}

interface Handled {
  readonly result: unknown
  readonly isFailure: boolean
  readonly encodedResult: unknown
}

interface ToolCodecs {
  readonly decodeParameters: (input: unknown) => Effect.Effect<unknown, Schema.SchemaError, any>
  readonly encodeSuccess: (value: unknown) => Effect.Effect<unknown, Schema.SchemaError, any>
  readonly encodeFailure: (value: unknown) => Effect.Effect<unknown, Schema.SchemaError, any>
}

const codecsCache = new WeakMap<Tool.Any, ToolCodecs>()

const codecsOf = (tool: Tool.Any): ToolCodecs => {
  let codecs = codecsCache.get(tool)
  if (codecs === undefined) {
    codecs = {
      decodeParameters: Schema.isSchema(tool.parametersSchema)
        ? Schema.decodeUnknownEffect(tool.parametersSchema as Schema.Codec<unknown, unknown, any, any>)
        : Effect.succeed,
      encodeSuccess: Schema.encodeUnknownEffect(tool.successSchema as Schema.Codec<unknown, unknown, any, any>),
      encodeFailure: Schema.encodeUnknownEffect(
        Tool.failureResultSchema(tool) as unknown as Schema.Codec<unknown, unknown, any, any>
      )
    }
    codecsCache.set(tool, codecs)
  }
  return codecs
}

/**
 * What `toolkit.handle(name, parameters, id)` followed by `Stream.runLast` gives, computed
 * without the per-call machinery `handle` needs to stream preliminary results (a queue, a child
 * fiber for the handler, a result stream with its scope: about 50 µs and several scheduler
 * round trips per call). Only the last result matters here, so preliminary results are dropped
 * as they are produced. Everything else is as `Toolkit.handle` in effect 4.1 does it: the span
 * annotation, parameters decoded with the tool's Schema (a failure is the same
 * `ToolParameterValidationError`), the handler run in its layer's context merged under the
 * caller's, a failure normalized the same way and, for `failureMode: "return"`, encoded as the
 * result; results encoded with the same Schemas, an encoding failure the same
 * `ToolResultEncodingError`.
 */
const handleDirectly = (
  tool: Tool.Any,
  handler: Tool.Handler<string>,
  parameters: unknown,
  toolCallId: string
): Effect.Effect<Option.Option<Handled>, unknown> => {
  const name = tool.name
  const codecs = codecsOf(tool)
  const aiError = (reason: AiError.AiErrorReason) =>
    AiError.make({ module: "Toolkit", method: `${name}.handle`, reason })
  const encode = (result: unknown, isFailure: boolean): Effect.Effect<Option.Option<Handled>, unknown> =>
    (isFailure ? codecs.encodeFailure(result) : codecs.encodeSuccess(result)).pipe(
      Effect.mapError((cause) =>
        aiError(new AiError.ToolResultEncodingError({ toolName: name, toolResult: result, description: cause.message }))
      ),
      Effect.map((encodedResult) => Option.some({ result, isFailure, encodedResult }))
    ) as Effect.Effect<Option.Option<Handled>, unknown>
  const normalizeError = (error: unknown): unknown =>
    Schema.isSchemaError(error)
      ? aiError(
        new AiError.InvalidToolResultError({
          toolName: name,
          description: `Tool handler returned invalid result: ${error.message}`
        })
      )
      : AiError.isAiErrorReason(error)
      ? aiError(error)
      : error
  return Effect.annotateCurrentSpan({ tool: name, parameters }).pipe(
    Effect.andThen(Effect.result(codecs.decodeParameters(parameters))),
    Effect.flatMap((decoded) => {
      if (decoded._tag === "Failure") {
        return Effect.fail(
          aiError(new AiError.ToolParameterValidationError({ toolName: name, description: decoded.failure.message }))
        )
      }
      const context = { toolCallId, preliminary: () => Effect.void }
      return handler.handler(decoded.success, context).pipe(
        Effect.updateContext((input: Context.Context<never>) => Context.merge(handler.context, input)),
        Effect.matchCauseEffect({
          onSuccess: (result) => encode(result, false),
          onFailure: (cause) => {
            const found = cause.reasons.find(Cause.isFailReason)
            if (found === undefined) return Effect.failCause(cause)
            if (tool.failureMode === "return") return encode(normalizeError(found.error), true)
            return Effect.failCause(Cause.map(cause, normalizeError))
          }
        })
      )
    })
  ) as Effect.Effect<Option.Option<Handled>, unknown>
}

const invalidArguments = (
  failure: (kind: "invalid-arguments", message: string) => ToolResult,
  name: string,
  error: AiError.AiError
): ToolResult => {
  const reason = error.reason as { readonly description?: string }
  return failure(
    "invalid-arguments",
    `the arguments do not match the parameters of ${name}:\n${
      reason.description ?? error.message
    }\nCall ${name} again with corrected arguments.`
  )
}

class ToolTimeout {
  readonly _tag = "ToolTimeout"
}
