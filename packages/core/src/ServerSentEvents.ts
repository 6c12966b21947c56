/**
 * Incremental Server-Sent Events decoder for the Grok client's streaming hot path.
 *
 * It follows the WHATWG EventSource parsing rules and works on bytes: it scans each chunk for line endings
 * (LF, CRLF or lone CR, also when a CRLF pair is split across two chunks) and decodes only complete field values
 * as UTF-8, so a multi-byte character split between chunks is never decoded in halves. A leading UTF-8 byte order
 * mark is skipped, comment lines are ignored, `retry:` is ignored, and one event (pending line plus pending data)
 * is limited to `maxEventBytes` bytes, 10 MiB by default.
 *
 * Fast path: the complete lines of a chunk without CR are decoded with one `TextDecoder` call and, when every
 * character came from one byte (ASCII), interpreted on that string; other chunks take the byte path.
 *
 * `makeParser` is the pure synchronous parser; `decode` adapts it to an Effect `Stream` of byte chunks.
 *
 * @since 0.1.0
 */
import { Data, Effect, Stream } from "effect"
import type { Pull } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"

/**
 * One dispatched event. `event` is `"message"` when the stream sent no `event:` field; `id` is the last event id
 * seen on the stream (it persists across events, as in EventSource), or `undefined` if none was sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerSentEvent {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
}

/**
 * Raised when one event (the pending line plus the pending `data:` lines) grows past `maxEventBytes`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerSentEventsError extends Data.TaggedError("ServerSentEventsError")<{
  readonly reason: "EventTooLarge"
  readonly limitBytes: number
  readonly message: string
}> {}

/**
 * Options of `makeParser` and `decode`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParserOptions {
  /**
   * Largest size of one event in bytes, counting the bytes of the unterminated line plus the `data:` values (and
   * their joining newlines) buffered since the last dispatch. Defaults to `defaultMaxEventBytes` (10 MiB).
   */
  readonly maxEventBytes?: number | undefined
}

/**
 * A synchronous, incremental decoder for one stream. Create one per stream; it is not reusable after a failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface Parser {
  /**
   * Feeds the next chunk and returns the events it completed (often an empty array shared between calls).
   * Throws `ServerSentEventsError` when an event exceeds the limit; events completed earlier in the same chunk are
   * discarded with it, and every later call throws the same error.
   */
  readonly push: (chunk: Uint8Array) => ReadonlyArray<ServerSentEvent>
  /**
   * Signals the end of the input. An incomplete trailing event is never dispatched; the result is `true` when the
   * input stopped in the middle of one (an unterminated line, or field lines not yet closed by a blank line). The
   * parser is then reset and can read a new stream.
   */
  readonly end: () => boolean
  /** `true` while bytes of an unterminated line or fields of an undispatched event are buffered. */
  readonly hasPendingData: boolean
}

/**
 * Default limit on the size of one event: 10 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxEventBytes: number = 10 * 1024 * 1024

const LINE_FEED = 0x0a
const CARRIAGE_RETURN = 0x0d
const COLON = 0x3a
const SPACE = 0x20
const BYTE_ORDER_MARK = new Uint8Array([0xef, 0xbb, 0xbf])
// Pending-line storage grows in blocks proportional to what is buffered, between these sizes; the first block
// is kept between lines when it is small, so steady-state parsing does not allocate for split lines.
const MINIMUM_BLOCK_BYTES = 1024
const MAXIMUM_BLOCK_BYTES = 1024 * 1024
const REUSABLE_BLOCK_BYTES = 64 * 1024
const noEvents: ReadonlyArray<ServerSentEvent> = Object.freeze([])

interface ParserState {
  // Parses one chunk, appending completed events to `output`; returns the failure instead of throwing.
  readonly parse: (chunk: Uint8Array) => ServerSentEventsError | undefined
  // Takes the events completed since the last call.
  readonly takeOutput: () => ReadonlyArray<ServerSentEvent>
  readonly end: () => boolean
  readonly hasPendingData: () => boolean
}

const makeParserState = (options: ParserOptions | undefined): ParserState => {
  const maxEventBytes = options?.maxEventBytes ?? defaultMaxEventBytes
  if (!(maxEventBytes > 0)) {
    throw new RangeError(`maxEventBytes must be a positive number, got ${maxEventBytes}`)
  }
  // ignoreBOM: a U+FEFF inside a value is content; only the stream's leading BOM is skipped (at byte level).
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true })

  let failure: ServerSentEventsError | undefined
  let output: Array<ServerSentEvent> | undefined

  // Stream start: how many bytes of the byte order mark have been matched while still checking for it.
  let checkingByteOrderMark = true
  let byteOrderMarkMatched = 0
  // The previous chunk ended with a CR: a LF at the start of the next chunk belongs to it.
  let skipLineFeed = false

  // The unterminated line, stored in blocks; all blocks but the last are full.
  let blocks: Array<Uint8Array> = []
  let lastBlockUsed = 0
  let pendingBytes = 0
  let spareBlock: Uint8Array | undefined

  // The event being built.
  let data = ""
  let dataLines = 0
  let dataBytes = 0
  let eventType = ""
  let eventStarted = false
  let lastEventId: string | undefined

  const fail = (): ServerSentEventsError => {
    failure = new ServerSentEventsError({
      reason: "EventTooLarge",
      limitBytes: maxEventBytes,
      message: `Server-sent event exceeded the limit of ${maxEventBytes} bytes`
    })
    blocks = []
    spareBlock = undefined
    lastBlockUsed = 0
    pendingBytes = 0
    data = ""
    return failure
  }

  const append = (source: Uint8Array, from: number, to: number): void => {
    while (from < to) {
      let block: Uint8Array
      if (blocks.length > 0 && lastBlockUsed < blocks[blocks.length - 1]!.length) {
        block = blocks[blocks.length - 1]!
      } else {
        const wanted = to - from
        if (blocks.length === 0 && spareBlock !== undefined) {
          block = spareBlock
          spareBlock = undefined
        } else {
          const proportional = pendingBytes < MINIMUM_BLOCK_BYTES
            ? MINIMUM_BLOCK_BYTES
            : pendingBytes > MAXIMUM_BLOCK_BYTES
            ? MAXIMUM_BLOCK_BYTES
            : pendingBytes
          block = new Uint8Array(wanted > proportional ? wanted : proportional)
        }
        blocks.push(block)
        lastBlockUsed = 0
      }
      const room = block.length - lastBlockUsed
      const count = to - from < room ? to - from : room
      block.set(count === source.length ? source : source.subarray(from, from + count), lastBlockUsed)
      lastBlockUsed += count
      pendingBytes += count
      from += count
    }
  }

  const clearPendingLine = (): void => {
    const first = blocks[0]
    if (first !== undefined && first.length <= REUSABLE_BLOCK_BYTES) {
      spareBlock = first
    }
    blocks.length = 0
    lastBlockUsed = 0
    pendingBytes = 0
  }

  const dispatch = (): void => {
    eventStarted = false
    if (dataLines === 0) {
      eventType = ""
      return
    }
    const event: ServerSentEvent = { event: eventType === "" ? "message" : eventType, data, id: lastEventId }
    if (output === undefined) {
      output = [event]
    } else {
      output.push(event)
    }
    data = ""
    dataLines = 0
    dataBytes = 0
    eventType = ""
  }

  const appendData = (value: string, bytes: number): void => {
    if (dataLines === 0) {
      data = value
      dataBytes = bytes
    } else {
      data = data + "\n" + value
      dataBytes += bytes + 1
    }
    dataLines++
  }

  const decodeValue = (bytes: Uint8Array, start: number, end: number): string =>
    start === end ? "" : decoder.decode(bytes.subarray(start, end))

  // Interprets one complete line, bytes[start, end), without its line ending.
  const processLine = (bytes: Uint8Array, start: number, end: number): void => {
    if (start === end) {
      dispatch()
      return
    }
    if (bytes[start] === COLON) {
      return
    }
    eventStarted = true
    // Known field names have at most 5 bytes: look for the colon among the first 6 bytes only.
    const limit = end - start > 6 ? start + 6 : end
    let colon = start
    while (colon < limit && bytes[colon] !== COLON) {
      colon++
    }
    if (colon === limit && limit !== end) {
      return
    }
    let valueStart = colon === end ? end : colon + 1
    if (valueStart < end && bytes[valueStart] === SPACE) {
      valueStart++
    }
    switch (colon - start) {
      case 4: {
        // "data"
        if (
          bytes[start] === 0x64 && bytes[start + 1] === 0x61 && bytes[start + 2] === 0x74 && bytes[start + 3] === 0x61
        ) {
          appendData(decodeValue(bytes, valueStart, end), end - valueStart)
        }
        return
      }
      case 5: {
        // "event" ("retry" is ignored)
        if (
          bytes[start] === 0x65 && bytes[start + 1] === 0x76 && bytes[start + 2] === 0x65 &&
          bytes[start + 3] === 0x6e && bytes[start + 4] === 0x74
        ) {
          eventType = decodeValue(bytes, valueStart, end)
        }
        return
      }
      case 2: {
        // "id"; a value containing NUL is ignored
        if (bytes[start] === 0x69 && bytes[start + 1] === 0x64) {
          for (let index = valueStart; index < end; index++) {
            if (bytes[index] === 0) {
              return
            }
          }
          lastEventId = decodeValue(bytes, valueStart, end)
        }
        return
      }
    }
  }

  // A line ending was found at chunk[end]; the line is the pending bytes followed by chunk[start, end).
  const completeLine = (chunk: Uint8Array, start: number, end: number): ServerSentEventsError | undefined => {
    if (pendingBytes === 0) {
      if (end - start + dataBytes > maxEventBytes) {
        return fail()
      }
      processLine(chunk, start, end)
      return undefined
    }
    if (pendingBytes + end - start + dataBytes > maxEventBytes) {
      return fail()
    }
    append(chunk, start, end)
    if (blocks.length === 1) {
      processLine(blocks[0]!, 0, pendingBytes)
    } else {
      const line = new Uint8Array(pendingBytes)
      let offset = 0
      for (let index = 0; index < blocks.length - 1; index++) {
        line.set(blocks[index]!, offset)
        offset += blocks[index]!.length
      }
      line.set(blocks[blocks.length - 1]!.subarray(0, lastBlockUsed), offset)
      processLine(line, 0, pendingBytes)
    }
    clearPendingLine()
    return undefined
  }

  // Interprets one complete line, text[start, end), of a decoded run of lines where every character came from
  // exactly one byte (so character counts are byte counts): what `processLine` does on bytes.
  const processTextLine = (text: string, start: number, end: number): void => {
    if (start === end) {
      dispatch()
      return
    }
    const first = text.charCodeAt(start)
    if (first === COLON) {
      return
    }
    eventStarted = true
    // "data: " first: nearly every line of a chat stream
    if (
      first === 0x64 && end - start > 5 && text.charCodeAt(start + 4) === COLON &&
      text.charCodeAt(start + 1) === 0x61 &&
      text.charCodeAt(start + 2) === 0x74 && text.charCodeAt(start + 3) === 0x61
    ) {
      const valueStart = text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5
      appendData(text.slice(valueStart, end), end - valueStart)
      return
    }
    const limit = end - start > 6 ? start + 6 : end
    let colon = start
    while (colon < limit && text.charCodeAt(colon) !== COLON) {
      colon++
    }
    if (colon === limit && limit !== end) {
      return
    }
    let valueStart = colon === end ? end : colon + 1
    if (valueStart < end && text.charCodeAt(valueStart) === SPACE) {
      valueStart++
    }
    switch (colon - start) {
      case 4: {
        if (text.startsWith("data", start)) {
          appendData(text.slice(valueStart, end), end - valueStart)
        }
        return
      }
      case 5: {
        if (text.startsWith("event", start)) {
          eventType = text.slice(valueStart, end)
        }
        return
      }
      case 2: {
        if (text.startsWith("id", start)) {
          const nul = text.indexOf("\0", valueStart)
          if (nul !== -1 && nul < end) {
            return
          }
          lastEventId = text.slice(valueStart, end)
        }
        return
      }
    }
  }

  // Where `parseLineFeedLines` stopped: the byte after the last line ending it consumed.
  let fastPosition = 0
  // Reads left before the fast path is tried again, after a read whose bytes did not map one to one to characters.
  let fastPathPause = 0

  // For a chunk without CR from `position` on, with no byte order mark check pending: completes the pending line
  // (the byte path), then decodes all the following complete lines with one `TextDecoder` call and interprets them
  // on the string when every character came from one byte (ASCII, or invalid bytes replaced one by one: a line
  // ending is ASCII, so it always ends an invalid sequence, and decoding the run equals decoding each value).
  // Otherwise the run is left to the byte path (and the fast path pauses for a few reads).
  const parseLineFeedLines = (chunk: Uint8Array, position: number): ServerSentEventsError | undefined => {
    fastPosition = position
    if (pendingBytes > 0) {
      const lineFeed = chunk.indexOf(LINE_FEED, position)
      if (lineFeed === -1) {
        return undefined
      }
      const error = completeLine(chunk, position, lineFeed)
      if (error !== undefined) {
        return error
      }
      position = lineFeed + 1
      fastPosition = position
    }
    if (fastPathPause > 0) {
      fastPathPause--
      return undefined
    }
    const lastLineFeed = chunk.lastIndexOf(LINE_FEED)
    if (lastLineFeed < position) {
      return undefined
    }
    const runEnd = lastLineFeed + 1
    const text = decoder.decode(position === 0 && runEnd === chunk.length ? chunk : chunk.subarray(position, runEnd))
    if (text.length !== runEnd - position) {
      fastPathPause = 16
      return undefined
    }
    let start = 0
    let lineFeed = text.indexOf("\n")
    while (lineFeed !== -1) {
      if (lineFeed - start + dataBytes > maxEventBytes) {
        fastPosition = position + start
        return fail()
      }
      processTextLine(text, start, lineFeed)
      start = lineFeed + 1
      lineFeed = text.indexOf("\n", start)
    }
    fastPosition = runEnd
    return undefined
  }

  const parse = (chunk: Uint8Array): ServerSentEventsError | undefined => {
    if (failure !== undefined) {
      return failure
    }
    const length = chunk.length
    let position = 0
    if (checkingByteOrderMark) {
      while (
        position < length && byteOrderMarkMatched < 3 && chunk[position] === BYTE_ORDER_MARK[byteOrderMarkMatched]
      ) {
        position++
        byteOrderMarkMatched++
      }
      if (byteOrderMarkMatched === 3) {
        checkingByteOrderMark = false
      } else if (position < length) {
        // Not a byte order mark: the bytes matched so far are ordinary line content.
        checkingByteOrderMark = false
        append(BYTE_ORDER_MARK, 0, byteOrderMarkMatched)
      } else {
        return undefined
      }
    }
    if (skipLineFeed && position < length) {
      skipLineFeed = false
      if (chunk[position] === LINE_FEED) {
        position++
      }
    }
    let carriageReturn = chunk.indexOf(CARRIAGE_RETURN, position)
    if (carriageReturn === -1 && position < length) {
      // Fast path for LF-only input: the complete lines of the chunk are decoded at once.
      const error = parseLineFeedLines(chunk, position)
      if (error !== undefined) {
        return error
      }
      position = fastPosition
    }
    let lineFeed = chunk.indexOf(LINE_FEED, position)
    while (lineFeed !== -1 || carriageReturn !== -1) {
      let error: ServerSentEventsError | undefined
      if (carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn)) {
        error = completeLine(chunk, position, lineFeed)
        position = lineFeed + 1
        lineFeed = chunk.indexOf(LINE_FEED, position)
      } else {
        error = completeLine(chunk, position, carriageReturn)
        position = carriageReturn + 1
        if (position === length) {
          skipLineFeed = true
        } else if (chunk[position] === LINE_FEED) {
          position++
          lineFeed = chunk.indexOf(LINE_FEED, position)
        }
        carriageReturn = chunk.indexOf(CARRIAGE_RETURN, position)
      }
      if (error !== undefined) {
        return error
      }
    }
    if (position < length) {
      if (pendingBytes + length - position + dataBytes > maxEventBytes) {
        return fail()
      }
      append(chunk, position, length)
    }
    return undefined
  }

  const hasPendingData = (): boolean =>
    pendingBytes > 0 || eventStarted || (checkingByteOrderMark && byteOrderMarkMatched > 0)

  const end = (): boolean => {
    if (failure !== undefined) {
      throw failure
    }
    const truncated = hasPendingData()
    checkingByteOrderMark = true
    byteOrderMarkMatched = 0
    skipLineFeed = false
    clearPendingLine()
    data = ""
    dataLines = 0
    dataBytes = 0
    eventType = ""
    eventStarted = false
    lastEventId = undefined
    return truncated
  }

  const takeOutput = (): ReadonlyArray<ServerSentEvent> => {
    if (output === undefined) {
      return noEvents
    }
    const events = output
    output = undefined
    return events
  }

  return { parse, takeOutput, end, hasPendingData }
}

/**
 * Creates a synchronous incremental Server-Sent Events parser over UTF-8 byte chunks.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeParser = (options?: ParserOptions): Parser => {
  const state = makeParserState(options)
  return {
    push(chunk) {
      const error = state.parse(chunk)
      const events = state.takeOutput()
      if (error !== undefined) {
        throw error
      }
      return events
    },
    end: state.end,
    get hasPendingData() {
      return state.hasPendingData()
    }
  }
}

/**
 * Decodes a stream of UTF-8 byte chunks into Server-Sent Events, failing with `ServerSentEventsError` when an event
 * exceeds `maxEventBytes` (after emitting the events completed before it). An incomplete trailing event is
 * dropped silently: detect truncation at the protocol level (e.g. a missing `data: [DONE]`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode =
  (options?: ParserOptions) =>
  <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<ServerSentEvent, E | ServerSentEventsError, R> =>
    Stream.transformPull(self, (pull) =>
      Effect.sync(() => {
        const state = makeParserState(options)
        let failure: ServerSentEventsError | undefined
        const pump = Effect.map(pull, (chunks) => {
          for (let index = 0; index < chunks.length; index++) {
            failure = state.parse(chunks[index]!)
            if (failure !== undefined) {
              return
            }
          }
        })
        return Effect.suspend(
          function loop(): Pull.Pull<NonEmptyReadonlyArray<ServerSentEvent>, E | ServerSentEventsError> {
            const events = state.takeOutput()
            if (events.length > 0) {
              return Effect.succeed(events as NonEmptyReadonlyArray<ServerSentEvent>)
            }
            if (failure !== undefined) {
              return Effect.fail(failure)
            }
            return Effect.flatMap(pump, loop)
          }
        )
      }))
