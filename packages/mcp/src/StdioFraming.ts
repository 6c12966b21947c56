/**
 * Line framing in front of an MCP stdio server (effect/ai `McpServer.layerStdio`). That server
 * parses a whole stdin chunk at once: one malformed line makes it drop every message of the
 * chunk, answering none of them, and it drops JSON values that are not JSON-RPC messages without
 * an answer. Here stdin is cut into lines first, and each line goes on alone when it is a JSON-RPC
 * message (or a batch, which the server refuses itself); otherwise it is answered on stdout, as
 * JSON-RPC 2.0 says: a parse error (`id: null`) for a line that is not JSON or is longer than the
 * limit, an invalid-request error for any other JSON value.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Stdio, Stream } from "effect"

const encoder = new TextEncoder()

/**
 * The default limit on one line: 4 Mi characters (the HTTP body limit is 4 MiB).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_LINE_LENGTH = 4 * 1024 * 1024

/**
 * A JSON-RPC parse error line (`id: null`, code -32700).
 *
 * @since 0.1.0
 * @category responses
 */
export const parseError = (message: string): string =>
  JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message } }) + "\n"

/**
 * Cuts text into lines.
 *
 * @since 0.1.0
 * @category models
 */
export interface LineSplitter {
  /** Feeds decoded text; returns the complete lines, and the lines refused for their size. */
  readonly push: (text: string) => { readonly lines: Array<string>; readonly oversized: number }
}

/**
 * A splitter that keeps at most `maxLength` characters of an unfinished line; a longer line is
 * counted as `oversized` once and skipped to its end. A trailing CR is dropped.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLineSplitter = (maxLength: number): LineSplitter => {
  let buffer = ""
  let skipping = false
  return {
    push(text) {
      const lines: Array<string> = []
      let oversized = 0
      let start = 0
      let newline: number
      while ((newline = text.indexOf("\n", start)) !== -1) {
        const piece = text.slice(start, newline)
        start = newline + 1
        if (skipping) {
          skipping = false
          continue
        }
        const line = buffer + piece
        buffer = ""
        if (line.length > maxLength) oversized++
        else lines.push(line.endsWith("\r") ? line.slice(0, -1) : line)
      }
      if (!skipping) {
        buffer += text.slice(start)
        if (buffer.length > maxLength) {
          buffer = ""
          skipping = true
          oversized++
        }
      }
      return { lines, oversized }
    }
  }
}

/**
 * A JSON-RPC invalid-request error line (code -32600).
 *
 * @since 0.1.0
 * @category responses
 */
export const invalidRequest = (id: string | number | null): string =>
  JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid Request" } }) + "\n"

const isId = (value: unknown): value is string | number => typeof value === "string" || typeof value === "number"

/**
 * What to do with one line: forward it to the server, or answer it here (a parse error, or an
 * invalid request that the server would drop without an answer).
 *
 * @since 0.1.0
 * @category framing
 */
export const classify = (
  line: string
): { readonly forward: true } | { readonly forward: false; readonly reply: string } => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { forward: false, reply: parseError("Parse error: not JSON") }
  }
  if (Array.isArray(value)) return { forward: true } // the server answers batches itself
  if (typeof value !== "object" || value === null) return { forward: false, reply: invalidRequest(null) }
  const message = value as Record<string, unknown>
  const id = isId(message.id) ? message.id : null
  if (message.jsonrpc !== "2.0") return { forward: false, reply: invalidRequest(id) }
  if ("method" in message) {
    if (typeof message.method !== "string") return { forward: false, reply: invalidRequest(id) }
    if ("id" in message && !isId(message.id)) return { forward: false, reply: invalidRequest(null) }
    return { forward: true }
  }
  // A response to a request of the server.
  if ("id" in message && ("result" in message || "error" in message)) return { forward: true }
  return { forward: false, reply: invalidRequest(id) }
}

/**
 * Wraps the `Stdio` of the context: its stdin yields one JSON-RPC line per chunk, and the other
 * lines are answered on its stdout. Provide it to `McpServer.layerStdio`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (maxLineLength: number = DEFAULT_MAX_LINE_LENGTH): Layer.Layer<Stdio.Stdio, never, Stdio.Stdio> =>
  Layer.effect(
    Stdio.Stdio,
    Effect.gen(function*() {
      const stdio = yield* Stdio.Stdio
      const reply = (text: string) => Stream.run(Stream.succeed(text), stdio.stdout()).pipe(Effect.ignore)
      const stdin = Stream.suspend(() => {
        const splitter = makeLineSplitter(maxLineLength)
        return stdio.stdin.pipe(
          Stream.decodeText(),
          Stream.mapEffect((text) =>
            Effect.gen(function*() {
              const { lines, oversized } = splitter.push(text)
              const forward: Array<Uint8Array> = []
              for (let i = 0; i < oversized; i++) {
                yield* reply(parseError(`Parse error: message longer than ${maxLineLength} characters`))
              }
              for (const line of lines) {
                if (line.trim() === "") continue
                const verdict = classify(line)
                if (verdict.forward) forward.push(encoder.encode(line + "\n"))
                else yield* reply(verdict.reply)
              }
              return forward
            })
          ),
          Stream.flattenIterable
        )
      })
      return Stdio.make({ ...stdio, stdin })
    })
  )
