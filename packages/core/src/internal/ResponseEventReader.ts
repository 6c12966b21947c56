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
import { Cause, Effect, Schema } from "effect"
import type { Array as Arr } from "effect"
import { errorBodyCode, errorBodyMessage, parseErrorBody } from "../ErrorBody.ts"
import { ErrorInResponse, InvalidResponse, StreamError } from "../GrokError.ts"
import { isTerminalEvent, ResponsesStreamEvent } from "../ResponsesStreamEvent.ts"
import * as ServerSentEvents from "../ServerSentEvents.ts"
import * as ValidationIssue from "../ValidationIssue.ts"
import { tolerantParseOptions } from "../WireSchema.ts"
import * as EventReader from "./EventReader.ts"
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
export const make = (options: EventReader.Options<AttemptFailure>): EventPull =>
  EventReader.make<ResponsesStreamEvent, AttemptFailure>(options, (reading) => {
    const truncated = (description: string): AttemptFailure => ({
      reason: new StreamError({ kind: "Truncated", description })
    })

    const end = (midEvent: boolean): Effect.Effect<never, AttemptFailure | Cause.Done<void>> =>
      Effect.fail(truncated(
        midEvent
          ? "the connection closed in the middle of an event"
          : "the connection closed before the response completed"
      ))

    /** Turns events into decoded events; returns a failure when one is an error or does not decode. */
    const read = (
      events: ReadonlyArray<ServerSentEvents.ServerSentEvent>,
      out: Array<ResponsesStreamEvent>
    ): AttemptFailure | undefined => {
      for (let index = 0; index < events.length && !reading.finished; index++) {
        const event = events[index]!
        if (event.data === "[DONE]") {
          // a terminal event ends the reading before any [DONE]: this one came first
          reading.finished = true
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
        if (isTerminalEvent(decoded)) reading.finished = true
      }
      return undefined
    }

    return { read, end }
  })
