/**
 * Reads a chat completion's SSE body into decoded chunks: SSE framing (split-safe), `[DONE]`,
 * error events, chunk decoding, the idle timeout, and the termination rules (a stream that ends
 * without `[DONE]` and without a finish reason, or in the middle of an event, is truncated).
 *
 * @internal
 */
import { Cause, Effect, Schema } from "effect"
import type { Array as Arr } from "effect"
import { SchemaJITCompiler } from "effect/schema"
import { ChatCompletionChunk } from "../ChatCompletionChunk.ts"
import { errorBodyCode, errorBodyMessage, parseErrorBody } from "../ErrorBody.ts"
import { ErrorInResponse, type GrokErrorReason, InvalidResponse, StreamError } from "../GrokError.ts"
import * as ServerSentEvents from "../ServerSentEvents.ts"
import * as ValidationIssue from "../ValidationIssue.ts"
import { tolerantParseOptions } from "../WireSchema.ts"
import * as EventReader from "./EventReader.ts"
import { decodeChunkFast } from "./FastChunk.ts"

/** @internal */
export interface ReaderFailure {
  readonly reason: GrokErrorReason
}

/** @internal */
export type ChunkPull = Effect.Effect<
  Arr.NonEmptyReadonlyArray<ChatCompletionChunk>,
  ReaderFailure | Cause.Done<void>
>

// Every streamed event is decoded with this Schema: JIT-compiled, a valid chunk costs a few
// property checks instead of an interpreted walk; an invalid one falls back to the interpreter,
// so the issues reported are the same. Enabled before the decoder is built, as it must be.
SchemaJITCompiler.enable(ChatCompletionChunk.ast)
const decodeChunk = Schema.decodeUnknownExit(ChatCompletionChunk, tolerantParseOptions)

/** @internal */
export const make = (options: EventReader.Options<ReaderFailure>): ChunkPull =>
  EventReader.make<ChatCompletionChunk, ReaderFailure>(options, (reading) => {
    let sawFinishReason = false

    const truncated = (description: string) =>
      Effect.fail<ReaderFailure>({ reason: new StreamError({ kind: "Truncated", description }) })

    const end = (midEvent: boolean): Effect.Effect<never, ReaderFailure | Cause.Done<void>> => {
      if (midEvent) return truncated("the connection closed in the middle of an event")
      if (!sawFinishReason) return truncated("the connection closed before data: [DONE] and before any finish reason")
      reading.finished = true
      return Cause.done()
    }

    /** Turns events into chunks; returns a failure when an event is an error or does not decode. */
    const read = (
      events: ReadonlyArray<ServerSentEvents.ServerSentEvent>,
      out: Array<ChatCompletionChunk>
    ): ReaderFailure | undefined => {
      for (let index = 0; index < events.length; index++) {
        const event = events[index]!
        if (event.data === "[DONE]") {
          reading.finished = true
          return undefined
        }
        let json: unknown
        try {
          json = JSON.parse(event.data)
        } catch {
          if (event.event === "error") {
            return { reason: new ErrorInResponse({ serverMessage: event.data, code: undefined, inStream: true }) }
          }
          return {
            reason: new InvalidResponse({
              description: `a stream event is not JSON: ${event.data.slice(0, 200)}`,
              issues: []
            })
          }
        }
        const errorBody = parseErrorBody(json)
        if (errorBody !== undefined || event.event === "error") {
          return {
            reason: new ErrorInResponse({
              serverMessage: errorBody === undefined ? event.data : errorBodyMessage(errorBody),
              code: errorBody === undefined ? undefined : errorBodyCode(errorBody),
              inStream: true
            })
          }
        }
        // The common shape is checked by hand; anything else (and every invalid chunk) by the Schema.
        let chunk = decodeChunkFast(json)
        if (chunk === undefined) {
          const exit = decodeChunk(json)
          if (exit._tag === "Failure") {
            const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
            return {
              reason: new InvalidResponse({
                description: "a stream chunk does not match its Schema",
                issues: error === undefined ? [] : ValidationIssue.fromSchemaError(error)
              })
            }
          }
          chunk = exit.value
        }
        for (const choice of chunk.choices) {
          if (choice.finish_reason != null) sawFinishReason = true
        }
        out.push(chunk)
      }
      return undefined
    }

    return { read, end }
  })
