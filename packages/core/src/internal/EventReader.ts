/**
 * The skeleton the SSE readers of a streamed body share (`ChunkReader` for chat completions,
 * `ResponseEventReader` for the Responses API): bytes pulled under the idle timeout, SSE framing
 * (split-safe, via `ServerSentEvents`), an event over the size limit, transport failures, the end
 * of the body, and values decoded before a failure in the same read delivered first (the failure
 * on the next pull). What the events mean, and what the end of the body means, is the reader's.
 *
 * Per read, it costs what the readers cost before: one `flatMap` over the pull of bytes; the
 * events of a read are decoded synchronously.
 *
 * @internal
 */
import { Cause, Duration, Effect } from "effect"
import type { Array as Arr, Pull } from "effect"
import type { HttpClientError } from "effect/http"
import { type GrokErrorReason, StreamError, Timeout } from "../GrokError.ts"
import * as ServerSentEvents from "../ServerSentEvents.ts"

/** @internal */
export interface ReadFailure {
  readonly reason: GrokErrorReason
}

/** Whether the stream is finished: set by the reader's decoder (or its end), read by the skeleton. */
export interface Reading {
  finished: boolean
}

/** @internal */
export interface Decoder<A, F extends ReadFailure> {
  /** Decodes events into `out`; a failure ends the reading. Sets `reading.finished` when done. */
  readonly read: (events: ReadonlyArray<ServerSentEvents.ServerSentEvent>, out: Array<A>) => F | undefined
  /** What the end of the body means; `midEvent`: it ended in the middle of an event. */
  readonly end: (midEvent: boolean) => Effect.Effect<never, F | Cause.Done<void>>
}

/** What a reader reads: the body's bytes, the event size limit, the idle timeout, transport failures. */
export interface Options<F extends ReadFailure> {
  readonly bytes: Pull.Pull<Arr.NonEmptyReadonlyArray<Uint8Array>, HttpClientError.HttpClientError>
  readonly maxEventBytes: number | undefined
  readonly idleTimeout: Duration.Duration
  readonly transport: (error: HttpClientError.HttpClientError) => F
}

/** @internal */
export const make = <A, F extends ReadFailure>(
  options: Options<F>,
  decoder: (reading: Reading) => Decoder<A, F>
): Effect.Effect<Arr.NonEmptyReadonlyArray<A>, F | Cause.Done<void>> => {
  const parser = ServerSentEvents.makeParser({ maxEventBytes: options.maxEventBytes })
  const reading: Reading = { finished: false }
  const { end, read } = decoder(reading)
  const idleFailure = Effect.fail({ reason: new Timeout({ phase: "idle", after: options.idleTimeout }) } as F)
  const bytes = Effect.timeoutOrElse(options.bytes, {
    duration: options.idleTimeout,
    orElse: () => idleFailure
  })

  // A failure that came after values decoded from the same read: those values are delivered
  // first (they count as delivered, so the failure is never retried), the failure on the next pull.
  let failureAfterValues: F | undefined
  const failAfter = (out: Array<A>, failure: F): Effect.Effect<Arr.NonEmptyReadonlyArray<A>, F> => {
    if (out.length === 0) return Effect.fail(failure)
    failureAfterValues = failure
    return Effect.succeed(out as unknown as Arr.NonEmptyReadonlyArray<A>)
  }

  type ValuePull = Effect.Effect<Arr.NonEmptyReadonlyArray<A>, F | Cause.Done<void>>
  const pull: ValuePull = Effect.suspend(function loop(): ValuePull {
    if (failureAfterValues !== undefined) return Effect.fail(failureAfterValues)
    if (reading.finished) return Cause.done()
    return Effect.flatMap(
      Effect.catch(
        bytes,
        (error) =>
          Cause.isDone(error)
            ? end(parser.end())
            : Effect.fail(isReadFailure(error) ? error as F : options.transport(error))
      ),
      (chunks) => {
        const out: Array<A> = []
        for (let index = 0; index < chunks.length; index++) {
          if (reading.finished) break
          let events: ReadonlyArray<ServerSentEvents.ServerSentEvent>
          try {
            events = parser.push(chunks[index]!)
          } catch (error) {
            const description = error instanceof ServerSentEvents.ServerSentEventsError
              ? error.message
              : String(error)
            return failAfter(out, { reason: new StreamError({ kind: "EventTooLarge", description }) } as F)
          }
          const failure = read(events, out)
          if (failure !== undefined) return failAfter(out, failure)
        }
        if (out.length > 0) return Effect.succeed(out as unknown as Arr.NonEmptyReadonlyArray<A>)
        return loop()
      }
    )
  })
  return pull
}

const isReadFailure = (value: unknown): value is ReadFailure =>
  typeof value === "object" && value !== null && "reason" in value && !("_tag" in value)
