/**
 * Reads a streamed response's SSE body into decoded events: SSE framing (split-safe, via
 * `ServerSentEvents`), event decoding, error events, the idle timeout, and the termination
 * rules. The stream ends after a terminal event (`response.completed`, `response.incomplete`,
 * `response.done`); `response.failed` and `error` events are failures; a `data: [DONE]` after
 * the terminal event is never read, one before it means the stream was cut; a body that ends before a terminal event, or in the middle of an event, is truncated.
 * Events decoded before a failure in the same read are delivered first.
 *
 * @internal
 */
import { Cause, Duration, Effect, Schema } from "effect"
import type { Array as Arr, Pull } from "effect"
import type { HttpClientError } from "effect/http"
import { errorBodyCode, errorBodyMessage, parseErrorBody } from "../ErrorBody.ts"
import { ErrorInResponse, InvalidResponse, StreamError, Timeout } from "../GrokError.ts"
import { isTerminalEvent, ResponsesStreamEvent } from "../ResponsesStreamEvent.ts"
import * as ServerSentEvents from "../ServerSentEvents.ts"
import * as ValidationIssue from "../ValidationIssue.ts"
import { tolerantParseOptions } from "../WireSchema.ts"
import type { AttemptFailure } from "./HttpCall.ts"

/** @internal */
export type EventPull = Effect.Effect<
  Arr.NonEmptyReadonlyArray<ResponsesStreamEvent>,
  AttemptFailure | Cause.Done<void>
>

const decodeEvent = Schema.decodeUnknownExit(ResponsesStreamEvent, tolerantParseOptions)

const inStream = (serverMessage: string, code: string | undefined): AttemptFailure => ({
  reason: new ErrorInResponse({ serverMessage, code, inStream: true })
})

/** @internal */
export const make = (options: {
  readonly bytes: Pull.Pull<Arr.NonEmptyReadonlyArray<Uint8Array>, HttpClientError.HttpClientError>
  readonly maxEventBytes: number | undefined
  readonly idleTimeout: Duration.Duration
  readonly transport: (error: HttpClientError.HttpClientError) => AttemptFailure
}): EventPull => {
  const parser = ServerSentEvents.makeParser({ maxEventBytes: options.maxEventBytes })
  let finished = false
  let failureAfterEvents: AttemptFailure | undefined
  const bytes = Effect.timeoutOrElse(options.bytes, {
    duration: options.idleTimeout,
    orElse: () => Effect.fail<AttemptFailure>({ reason: new Timeout({ phase: "idle", after: options.idleTimeout }) })
  })

  const truncated = (description: string): AttemptFailure => ({
    reason: new StreamError({ kind: "Truncated", description })
  })

  const onEnd = (): Effect.Effect<never, AttemptFailure | Cause.Done<void>> => {
    if (parser.end()) return Effect.fail(truncated("the connection closed in the middle of an event"))
    return Effect.fail(truncated("the connection closed before the response completed"))
  }

  /** Turns events into decoded events; returns a failure when one is an error or does not decode. */
  const readEvents = (
    events: ReadonlyArray<ServerSentEvents.ServerSentEvent>,
    out: Array<ResponsesStreamEvent>
  ): AttemptFailure | undefined => {
    for (let index = 0; index < events.length && !finished; index++) {
      const event = events[index]!
      if (event.data === "[DONE]") {
        // a terminal event ends the reading before any [DONE]: this one came first
        finished = true
        return truncated("data: [DONE] arrived before the response completed")
      }
      let json: unknown
      try {
        json = JSON.parse(event.data)
      } catch {
        if (event.event === "error") return inStream(event.data, undefined)
        return {
          reason: new InvalidResponse({
            description: `a stream event is not JSON: ${event.data.slice(0, 200)}`,
            issues: []
          })
        }
      }
      const errorBody = typeof json === "object" && json !== null && !("type" in json)
        ? parseErrorBody(json)
        : undefined
      if (errorBody !== undefined) return inStream(errorBodyMessage(errorBody), errorBodyCode(errorBody))
      const exit = decodeEvent(json)
      if (exit._tag === "Failure") {
        if (event.event === "error") return inStream(event.data, undefined)
        const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
        return {
          reason: new InvalidResponse({
            description: "a stream event does not match its Schema",
            issues: error === undefined ? [] : ValidationIssue.fromSchemaError(error)
          })
        }
      }
      const decoded = exit.value
      if (decoded.type === "error") {
        const error = decoded as { readonly message: string; readonly code?: string | null }
        return inStream(error.message, error.code ?? undefined)
      }
      if (decoded.type === "response.failed") {
        const response =
          (decoded as { readonly response: { readonly error?: { message: string; code?: string | null } | null } })
            .response
        return inStream(response.error?.message ?? "the response failed", response.error?.code ?? undefined)
      }
      out.push(decoded)
      if (isTerminalEvent(decoded)) finished = true
    }
    return undefined
  }

  const deliver = (
    out: Array<ResponsesStreamEvent>,
    failure: AttemptFailure | undefined
  ): Effect.Effect<Arr.NonEmptyReadonlyArray<ResponsesStreamEvent>, AttemptFailure> | undefined => {
    if (failure !== undefined) {
      if (out.length === 0) return Effect.fail(failure)
      failureAfterEvents = failure
    }
    return out.length > 0
      ? Effect.succeed(out as unknown as Arr.NonEmptyReadonlyArray<ResponsesStreamEvent>)
      : undefined
  }

  const pull: EventPull = Effect.suspend(function loop(): EventPull {
    if (failureAfterEvents !== undefined) return Effect.fail(failureAfterEvents)
    if (finished) return Cause.done()
    return Effect.flatMap(
      Effect.catch(
        bytes,
        (error) =>
          Cause.isDone(error) ? onEnd() : Effect.fail(isAttemptFailure(error) ? error : options.transport(error))
      ),
      (chunks) => {
        const out: Array<ResponsesStreamEvent> = []
        for (let index = 0; index < chunks.length; index++) {
          if (finished) break
          let events: ReadonlyArray<ServerSentEvents.ServerSentEvent>
          try {
            events = parser.push(chunks[index]!)
          } catch (error) {
            const description = error instanceof ServerSentEvents.ServerSentEventsError
              ? error.message
              : String(error)
            return deliver(out, { reason: new StreamError({ kind: "EventTooLarge", description }) })!
          }
          const failure = readEvents(events, out)
          if (failure !== undefined) return deliver(out, failure)!
        }
        return deliver(out, undefined) ?? loop()
      }
    )
  })
  return pull
}

const isAttemptFailure = (value: unknown): value is AttemptFailure =>
  typeof value === "object" && value !== null && "reason" in value && !("_tag" in value)
