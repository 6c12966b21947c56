/**
 * A tiny HTTP client for the mock's tests: `fetch`, and an SSE parser written here on purpose
 * (the tests must not depend on the client under test).
 */
import { Effect } from "effect"

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

export const API_KEY = "test-key"

export const authorized = (headers: Record<string, string> = {}): Record<string, string> => ({
  authorization: `Bearer ${API_KEY}`,
  "content-type": "application/json",
  ...headers
})

/** Sends a request and reads the whole body. */
export const send = (
  url: string,
  init: { readonly method?: string; readonly body?: unknown; readonly headers?: Record<string, string> } = {}
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: init.headers ?? authorized(),
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) })
    })
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

/** `POST {base}/chat/completions` with a valid bearer token. */
export const chat = (
  base: string,
  body: unknown,
  headers: Record<string, string> = {}
): Effect.Effect<Answer> => send(`${base}/chat/completions`, { body, headers: authorized(headers) })

export const parseJson = (answer: Answer): any => JSON.parse(answer.text)

export interface ServerSentEvents {
  /** The parsed JSON of every `data:` event except `[DONE]`. */
  readonly chunks: ReadonlyArray<any>
  /** Whether the stream ended with `data: [DONE]`. */
  readonly done: boolean
  /** The raw `data:` payloads, in order. */
  readonly data: ReadonlyArray<string>
}

/** Parses an SSE body: events separated by blank lines, `data:` lines joined. */
export const parseEvents = (text: string): ServerSentEvents => {
  const data: Array<string> = []
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/).filter((line) => line.startsWith("data:"))
    if (lines.length === 0) continue
    data.push(lines.map((line) => line.slice(5).replace(/^ /, "")).join("\n"))
  }
  const chunks = data.filter((payload) => payload !== "[DONE]").map((payload) => JSON.parse(payload))
  return { chunks, done: data[data.length - 1] === "[DONE]", data }
}

/** A user message request. */
export const ask = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: "grok-4.3",
  messages: [{ role: "user", content }],
  ...extra
})

/** A function tool. */
export const tool = (
  name: string,
  description: string,
  properties: Record<string, unknown> = {},
  required: ReadonlyArray<string> = []
) => ({ type: "function", function: { name, description, parameters: { type: "object", properties, required } } })

/**
 * Opens a streaming request and reads what arrives within `waitMs` after the headers, then
 * aborts. Resolves with the text read, and whether the body ended or failed on its own.
 */
export const readFor = (
  base: string,
  body: unknown,
  headers: Record<string, string>,
  waitMs: number
): Effect.Effect<{ readonly text: string; readonly ended: "done" | "error" | "open" }> =>
  Effect.promise(async () => {
    const controller = new AbortController()
    const response = await fetch(`${base}/chat/completions`, {
      method: "POST",
      headers: authorized(headers),
      body: JSON.stringify(body),
      signal: controller.signal
    })
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ""
    let ended: "done" | "error" | "open" = "open"
    const deadline = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), waitMs))
    for (;;) {
      const next = await Promise.race([reader.read().catch(() => "error" as const), deadline])
      if (next === "timeout") break
      if (next === "error") {
        ended = "error"
        break
      }
      if (next.done) {
        ended = "done"
        break
      }
      text += decoder.decode(next.value, { stream: true })
    }
    controller.abort()
    return { text, ended }
  })
