import { describe, expect, it } from "@effect/vitest"
import * as ServerSentEvents from "@grokit/core/ServerSentEvents"
import type { ServerSentEvent } from "@grokit/core/ServerSentEvents"
import { Effect, Stream } from "effect"
import { Sse } from "effect/encoding"
import * as v8 from "node:v8"
import * as vm from "node:vm"

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

const encoder = new TextEncoder()
const encode = (text: string): Uint8Array => encoder.encode(text)

interface ParseResult {
  readonly events: ReadonlyArray<ServerSentEvent>
  readonly truncated: boolean
}

const parseChunks = (
  chunks: ReadonlyArray<Uint8Array>,
  options?: ServerSentEvents.ParserOptions
): ParseResult => {
  const parser = ServerSentEvents.makeParser(options)
  const events: Array<ServerSentEvent> = []
  for (const chunk of chunks) {
    for (const event of parser.push(chunk)) {
      events.push(event)
    }
  }
  return { events, truncated: parser.end() }
}

// Cuts `bytes` at the given sorted positions (duplicates give empty chunks).
const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let from = 0
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut))
    from = cut
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

const sameEvents = (left: ReadonlyArray<ServerSentEvent>, right: ReadonlyArray<ServerSentEvent>): boolean => {
  if (left.length !== right.length) return false
  for (let index = 0; index < left.length; index++) {
    const a = left[index]!
    const b = right[index]!
    if (a.event !== b.event || a.data !== b.data || a.id !== b.id) return false
  }
  return true
}

const sameResult = (result: ParseResult, expected: Fixture): boolean =>
  result.truncated === expected.truncated && sameEvents(result.events, expected.events)

// Seeded PRNG (mulberry32): the same seed replays the same run.
const makeRandom = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const integer = (below: number): number => Math.floor(next() * below)
  const pick = <A>(values: ReadonlyArray<A>): A => values[integer(values.length)]!
  return { next, integer, pick }
}
type Random = ReturnType<typeof makeRandom>

// The reference parser: Effect's string-based Sse parser over the whole input decoded at once.
const referenceParse = (bytes: Uint8Array): ReadonlyArray<ServerSentEvent> => {
  const events: Array<ServerSentEvent> = []
  const parser = Sse.makeParser((event) => {
    if (event._tag === "Event") {
      events.push({ event: event.event, data: event.data, id: event.id })
    }
  }, { maxEventSize: Number.POSITIVE_INFINITY })
  const error = parser.feed(new TextDecoder().decode(bytes))
  if (error !== undefined) throw error
  return events
}

const message = (data: string, id?: string, event = "message"): ServerSentEvent => ({ event, data, id })

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: recorded-shape Grok streams (xai-api.md appendix A1, A2, A6) and variants
// ---------------------------------------------------------------------------------------------------------------

interface Fixture {
  readonly name: string
  readonly bytes: Uint8Array
  readonly events: ReadonlyArray<ServerSentEvent>
  readonly truncated: boolean
}

// A1: streaming tool call, grok-3-mini (real capture)
const toolCallPayloads: ReadonlyArray<string> = [
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774064,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":"First","role":"assistant"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774064,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":","}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774064,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":" the"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774064,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":" user"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774064,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":" is"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774066,"model":"grok-3-mini","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_55117580","function":{"name":"weather","arguments":"{\\"location\\":\\"San Francisco\\"}"},"index":0,"type":"function"}]}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774066,"model":"grok-3-mini","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"de9d896d-e946-b3a7-bb14-75ab33326930","object":"chat.completion.chunk","created":1770774066,"model":"grok-3-mini","choices":[],"usage":{"prompt_tokens":291,"completion_tokens":26,"total_tokens":513,"prompt_tokens_details":{"text_tokens":291,"audio_tokens":0,"image_tokens":0,"cached_tokens":290},"completion_tokens_details":{"reasoning_tokens":196,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},"num_sources_used":0,"cost_in_usd_ticks":1330500},"system_fingerprint":"fp_2a885414fb"}`
]

// A2: streaming text with reasoning, grok-3-mini (real capture)
const textPayloads: ReadonlyArray<string> = [
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774058,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":"First","role":"assistant"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774058,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":","}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774058,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":" the"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774058,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":" user"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774058,"model":"grok-3-mini","choices":[{"index":0,"delta":{"reasoning_content":" said"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774061,"model":"grok-3-mini","choices":[{"index":0,"delta":{"content":"Hello"}}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774061,"model":"grok-3-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"system_fingerprint":"fp_2a885414fb"}`,
  `{"id":"7327b9f5-1c2f-0a15-3fef-c14a71c460d3","object":"chat.completion.chunk","created":1770774061,"model":"grok-3-mini","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":303,"prompt_tokens_details":{"text_tokens":12,"audio_tokens":0,"image_tokens":0,"cached_tokens":11},"completion_tokens_details":{"reasoning_tokens":290,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},"num_sources_used":0,"cost_in_usd_ticks":1466250},"system_fingerprint":"fp_2a885414fb"}`
]

// A6: citations in the final chunk (synthetic, vercel/ai test data)
const citationPayloads: ReadonlyArray<string> = [
  `{"id":"d9f56e23-8b4c-4e7a-9d2f-6c8a9b5e3f7d","object":"chat.completion.chunk","created":1750538300,"model":"grok-3","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}],"system_fingerprint":"fp_13a6dc65a6"}`,
  `{"id":"e2a47b89-3f6d-4c8e-9a1b-7d5f8c9e2a4b","object":"chat.completion.chunk","created":1750538301,"model":"grok-3","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":null}],"system_fingerprint":"fp_13a6dc65a6"}`,
  `{"id":"f3b58c9a-4e7f-5d9e-ab2c-8e6f9d0e3b5c","object":"chat.completion.chunk","created":1750538302,"model":"grok-3","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15},"citations":["https://example.com"],"system_fingerprint":"fp_13a6dc65a6"}`
]

// A6: service_tier echo (synthetic)
const serviceTierPayloads: ReadonlyArray<string> = [
  `{"id":"tier-id","object":"chat.completion.chunk","created":1699472111,"model":"grok-4.6","service_tier":"priority","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"}}]}`,
  `{"id":"tier-id","object":"chat.completion.chunk","created":1699472111,"model":"grok-4.6","service_tier":"priority","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"total_tokens":34,"completion_tokens":30}}`
]

// Grok-shaped chunks whose content carries 2-, 3- and 4-byte UTF-8 characters.
const contentChunk = (content: string, created: number): string =>
  JSON.stringify({
    id: "0b7c1e52-5a0f-4c57-9f4e-2b1c8d3e6a70_us-east-1",
    object: "chat.completion.chunk",
    created,
    model: "grok-4",
    choices: [{ index: 0, delta: { content } }],
    system_fingerprint: "fp_9c2b1d0a4e",
    usage: { prompt_tokens: 9, completion_tokens: created - 1770770000, total_tokens: created - 1770769991 }
  })
const unicodeContents: ReadonlyArray<string> = [
  "😀",
  "🚀 launch",
  "中文字符",
  "日本語のテキスト、",
  "𝕏 is U+1D54F",
  "👨‍👩‍👧‍👦 family",
  "e\u0301 combining, ñ, €, ¢",
  "한국어 🇺🇸 flags",
  "\uFEFF zero-width no-break space inside content",
  "emoji at the end 🎉"
]
const unicodePayloads = unicodeContents.map((content, index) => contentChunk(content, 1770770001 + index))

// Frames data-only payloads the way xAI does (`data: <json>` + blank line) and appends `data: [DONE]`.
const grokStream = (payloads: ReadonlyArray<string>, lineEnding = "\n"): string =>
  [...payloads, "[DONE]"].map((payload) => `data: ${payload}${lineEnding}${lineEnding}`).join("")
const grokEvents = (payloads: ReadonlyArray<string>): ReadonlyArray<ServerSentEvent> =>
  [...payloads, "[DONE]"].map((payload) => message(payload))

const grokFixture = (name: string, payloads: ReadonlyArray<string>, lineEnding = "\n"): Fixture => ({
  name,
  bytes: encode(grokStream(payloads, lineEnding)),
  events: grokEvents(payloads),
  truncated: false
})

// Keep-alive comments, a retry field and a comment-only block between events.
const keepAliveText = [
  ": connected\n",
  "retry: 3000\n",
  "\n",
  ...[...toolCallPayloads, "[DONE]"].map((payload, index) =>
    (index % 2 === 0 ? ": keep-alive\n\n" : ":\n") + `data: ${payload}\n\n`
  ),
  ": keep-alive\n\n"
].join("")

// Pretty-printed JSON split over several `data:` lines, with `event:` and `id:` fields; ids persist.
const multiLineEvents: Array<ServerSentEvent> = []
const multiLineText = (() => {
  const parts: Array<string> = []
  let lastEventId: string | undefined
  citationPayloads.forEach((payload, index) => {
    const pretty = JSON.stringify(JSON.parse(payload), null, 2)
    // the second event sends no id: the previous one persists
    if (index !== 1) lastEventId = `chunk-${index}`
    parts.push(`event: chunk\n${index === 1 ? "" : `id: ${lastEventId}\n`}`)
    parts.push(pretty.split("\n").map((line) => `data: ${line}\n`).join("") + "\n")
    multiLineEvents.push(message(pretty, lastEventId, "chunk"))
  })
  parts.push("event: done\ndata: [DONE]\n\n")
  multiLineEvents.push(message("[DONE]", lastEventId, "done"))
  return parts.join("")
})()

// Field-level edge cases, each with its expected outcome.
const edgeCases: ReadonlyArray<readonly [text: string, events: ReadonlyArray<ServerSentEvent>]> = [
  ["data:\n\n", [message("")]],
  ["data\n\n", [message("")]],
  ["data:\ndata:\n\n", [message("\n")]],
  ["data:no-space\n\n", [message("no-space")]],
  ["data:  two spaces\n\n", [message(" two spaces")]],
  ["data: a:b: c\n\n", [message("a:b: c")]],
  ["event: only-a-name\n\n", []],
  [": just a comment\n\n", []],
  ["\n\n\n", []],
  ["id: 7\n\n", []],
  ["data: after-id\n\n", [message("after-id", "7")]],
  ["id: a\u0000b\ndata: nul-id-ignored\n\n", [message("nul-id-ignored", "7")]],
  ["id\ndata: empty-id\n\n", [message("empty-id", "")]],
  ["id: 8\nfoo: bar\nDATA: upper\nretry: 10\nretry: x\nevent:\ndata: x\n\n", [message("x", "8")]],
  ["\uFEFFdata: a BOM not at the start is part of the field name\n\n", []],
  ["data: \uFEFFvalue starting with U+FEFF\n\n", [message("\uFEFFvalue starting with U+FEFF", "8")]],
  [
    `event: error\ndata: {"code":"The service is currently unavailable","error":"Timed out waiting for first token"}\n\n`,
    [
      message(
        `{"code":"The service is currently unavailable","error":"Timed out waiting for first token"}`,
        "8",
        "error"
      )
    ]
  ],
  [`data: {"error":{"message":"overloaded","type":"server_error"}}\n\n`, [
    message(`{"error":{"message":"overloaded","type":"server_error"}}`, "8")
  ]],
  ["data: nul \u0000 in data is kept\n\n", [message("nul \u0000 in data is kept", "8")]],
  ["event: e1\nevent: e2\ndata: last event name wins\n\n", [message("last event name wins", "8", "e2")]],
  ["data: [DONE]\n\n", [message("[DONE]", "8")]]
]

// Line endings that alternate LF, CRLF and CR (never a CR directly followed by an LF-started ending).
const mixedLineEndings = (text: string): string => {
  const endings = ["\n", "\r\n", "\r", "\r\n"]
  let index = 0
  return text.replace(/\n/g, () => endings[index++ % endings.length]!)
}

const fixtures: ReadonlyArray<Fixture> = [
  grokFixture("A1 tool call (LF)", toolCallPayloads),
  grokFixture("A2 text with reasoning (LF)", textPayloads),
  grokFixture("A6 citations in the last chunk (LF)", citationPayloads),
  grokFixture("A6 service_tier echo (LF)", serviceTierPayloads),
  grokFixture("A2 with CRLF line endings", textPayloads, "\r\n"),
  grokFixture("A1 with lone CR line endings", toolCallPayloads, "\r"),
  grokFixture("4-byte emoji and CJK content (LF)", unicodePayloads),
  {
    name: "BOM at start, CRLF, emoji and CJK content",
    bytes: encode("\uFEFF" + grokStream(unicodePayloads.slice(0, 6), "\r\n")),
    events: grokEvents(unicodePayloads.slice(0, 6)),
    truncated: false
  },
  {
    name: "keep-alive comments and retry (A1)",
    bytes: encode(keepAliveText),
    events: grokEvents(toolCallPayloads),
    truncated: false
  },
  {
    name: "multi-line data with event and id fields (A6)",
    bytes: encode(multiLineText),
    events: multiLineEvents,
    truncated: false
  },
  {
    name: "multi-line data with mixed LF/CRLF/CR endings",
    bytes: encode(mixedLineEndings(multiLineText)),
    events: multiLineEvents,
    truncated: false
  },
  {
    name: "field edge cases: empty data, no colon, NUL id, unknown fields, error events",
    bytes: encode(edgeCases.map(([text]) => text).join("")),
    events: edgeCases.flatMap(([, events]) => events),
    truncated: false
  },
  {
    name: "A2 ending mid-event without the blank line",
    bytes: encode(grokStream(textPayloads).slice(0, -1)),
    events: grokEvents(textPayloads).slice(0, -1),
    truncated: true
  },
  (() => {
    // ends inside the 4-byte emoji of the last content chunk
    const text = grokStream(unicodePayloads.slice(0, 2))
    const bytes = encode(text)
    const cut = encode(text.slice(0, text.lastIndexOf("🚀"))).length + 2
    return {
      name: "emoji stream ending mid-line inside a 4-byte character",
      bytes: bytes.subarray(0, cut),
      events: grokEvents(unicodePayloads.slice(0, 1)).slice(0, 1),
      truncated: true
    }
  })()
]

// ---------------------------------------------------------------------------------------------------------------
// Generated streams with a model of the expected events (for the random test)
// ---------------------------------------------------------------------------------------------------------------

const valuePieces: ReadonlyArray<string> = [
  "hello",
  "Grok",
  " ",
  "  ",
  ":",
  "{\"a\":1}",
  "é",
  "ñ",
  "€",
  "中文",
  "日本語",
  "😀",
  "🚀",
  "𝕏",
  "👨‍👩‍👧",
  "\uFEFF",
  "\u0000",
  "data:",
  "[DONE]"
]
const eventNames: ReadonlyArray<string> = ["", "message", "error", "completion", "ünïcödé", "名前", "😀"]
const idValues: ReadonlyArray<string> = ["", "1", "42", "chunk_us-east-1", "ïd", "a\u0000b", "🆔"]
const comments: ReadonlyArray<string> = [":", ": keep-alive", ":♥", ": 😀 ping", "::"]

const generateStream = (random: Random): Fixture => {
  const endingMode = random.integer(4)
  let previousWasCarriageReturn = false
  const ending = (): string => {
    const choice = endingMode < 3 ? endingMode : random.integer(3)
    // a CR followed by a LF-started ending would merge into one CRLF
    const result = choice === 0 ? (previousWasCarriageReturn ? "\r\n" : "\n") : choice === 1 ? "\r\n" : "\r"
    previousWasCarriageReturn = result === "\r"
    return result
  }
  const randomValue = (): string => {
    let value = ""
    const pieces = random.integer(5)
    for (let index = 0; index < pieces; index++) value += random.pick(valuePieces)
    return value
  }
  const field = (name: string, value: string): string => {
    const form = random.next()
    if (value === "" && form < 0.3) return name
    if (!value.startsWith(" ") && form < 0.6) return `${name}:${value}`
    return `${name}: ${value}`
  }

  let text = random.next() < 0.2 ? "\uFEFF" : ""
  const events: Array<ServerSentEvent> = []
  let lastEventId: string | undefined
  const eventCount = 1 + random.integer(8)
  for (let eventIndex = 0; eventIndex < eventCount; eventIndex++) {
    const lines: Array<string> = []
    let eventName = ""
    if (random.next() < 0.3) lines.push(random.pick(comments))
    if (random.next() < 0.3) {
      eventName = random.pick(eventNames)
      lines.push(field("event", eventName))
    }
    if (random.next() < 0.2) {
      const id = random.pick(idValues)
      lines.push(field("id", id))
      if (!id.includes("\u0000")) lastEventId = id
    }
    if (random.next() < 0.1) lines.push("retry: 1000")
    if (random.next() < 0.1) lines.push(field("foo", randomValue()))
    const dataLines = random.pick([0, 1, 1, 1, 2, 3])
    const values: Array<string> = []
    for (let index = 0; index < dataLines; index++) {
      const value = randomValue()
      values.push(value)
      lines.push(field("data", value))
      if (random.next() < 0.1) lines.push(random.pick(comments))
    }
    if (dataLines > 0) events.push(message(values.join("\n"), lastEventId, eventName === "" ? "message" : eventName))
    for (const line of lines) text += line + ending()
    text += ending()
  }
  let truncated = false
  switch (random.integer(6)) {
    case 0:
      text += field("data", "tail") + ending()
      truncated = true
      break
    case 1:
      text += "data: ta"
      truncated = true
      break
    case 2:
      text += random.pick(comments) + ending()
      break
    case 3:
      text += ": comm"
      truncated = true
      break
  }
  return { name: "generated", bytes: encode(text), events, truncated }
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

describe("ServerSentEvents.makeParser", () => {
  describe("fixtures, unsplit", () => {
    for (const fixture of fixtures) {
      it(fixture.name, () => {
        const result = parseChunks([fixture.bytes])
        expect(result.events).toEqual(fixture.events)
        expect(result.truncated).toBe(fixture.truncated)
        // differential check against Effect's string parser over the whole decoded input
        expect(referenceParse(fixture.bytes)).toEqual(fixture.events)
      })
    }
  })

  it("has at least 10 fixtures of about 0.3-4 KiB", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10)
    for (const fixture of fixtures) {
      expect(fixture.bytes.length).toBeGreaterThan(300)
      expect(fixture.bytes.length).toBeLessThan(5000)
    }
  })

  describe("every single cut point and every pair of cut points in the first 128 bytes", () => {
    for (const fixture of fixtures) {
      it(fixture.name, () => {
        const { bytes } = fixture
        const failures: Array<string> = []
        let variants = 0
        for (let cut = 0; cut <= bytes.length; cut++) {
          variants++
          if (!sameResult(parseChunks(split(bytes, [cut])), fixture)) failures.push(`cut at ${cut}`)
        }
        const pairLimit = Math.min(128, bytes.length)
        for (let first = 1; first < pairLimit; first++) {
          for (let second = first + 1; second < pairLimit; second++) {
            variants++
            if (!sameResult(parseChunks(split(bytes, [first, second])), fixture)) {
              failures.push(`cuts at ${first}, ${second}`)
            }
          }
        }
        expect(failures.slice(0, 10)).toEqual([])
        expect(variants).toBe(bytes.length + 1 + ((pairLimit - 1) * (pairLimit - 2)) / 2)
      })
    }
  })

  it("gives the same events with one byte per chunk", () => {
    for (const fixture of fixtures) {
      const chunks = Array.from(
        { length: fixture.bytes.length },
        (_, index) => fixture.bytes.subarray(index, index + 1)
      )
      const result = parseChunks(chunks)
      expect(result.events, fixture.name).toEqual(fixture.events)
      expect(result.truncated, fixture.name).toBe(fixture.truncated)
    }
  })

  // SSE_RANDOM_RUNS=1000000 for the long mode; SSE_RANDOM_SEED replays a run
  const randomRuns = Number(process.env["SSE_RANDOM_RUNS"] ?? 100_000)
  const randomSeed = Number(process.env["SSE_RANDOM_SEED"] ?? (Date.now() % 4294967296))

  it(`random splittings: ${randomRuns} runs, zero differences (seed ${randomSeed})`, {
    timeout: Math.max(30_000, randomRuns * 2)
  }, () => {
    const random = makeRandom(randomSeed)
    const failures: Array<string> = []
    for (let run = 0; run < randomRuns && failures.length < 10; run++) {
      const useFixture = random.next() < 0.5
      const fixture = useFixture ? random.pick(fixtures) : generateStream(random)
      const { bytes } = fixture
      if (!useFixture) {
        // the generator's model, the unsplit parse and the reference parser must all agree
        const whole = parseChunks([bytes])
        if (!sameResult(whole, fixture)) {
          failures.push(`run ${run}: unsplit generated stream ${JSON.stringify(new TextDecoder().decode(bytes))}`)
          continue
        }
        if (!fixture.truncated && !sameEvents(referenceParse(bytes), fixture.events)) {
          failures.push(`run ${run}: reference parser disagrees on ${JSON.stringify(new TextDecoder().decode(bytes))}`)
          continue
        }
      }
      // mostly a few random cuts; sometimes many tiny chunks
      const cutCount = random.next() < 0.2 ? Math.min(bytes.length, 16 + random.integer(64)) : 1 + random.integer(12)
      const cuts: Array<number> = []
      for (let index = 0; index < cutCount; index++) cuts.push(random.integer(bytes.length + 1))
      cuts.sort((a, b) => a - b)
      if (!sameResult(parseChunks(split(bytes, cuts)), fixture)) {
        failures.push(`run ${run}: ${fixture.name} cuts [${cuts.join(", ")}]`)
      }
    }
    expect(failures, `seed ${randomSeed} (rerun with SSE_RANDOM_SEED=${randomSeed})`).toEqual([])
  })

  it("splits CRLF across chunks as one line ending, and a lone CR at a chunk end dispatches at once", () => {
    const parser = ServerSentEvents.makeParser()
    expect(parser.push(encode("data: a\r"))).toEqual([])
    expect(parser.push(encode("\n\r"))).toEqual([message("a")])
    expect(parser.push(encode("\ndata: b\r\r"))).toEqual([message("b")])
    expect(parser.push(encode("\n"))).toEqual([])
    expect(parser.end()).toBe(false)
  })

  it("skips only a leading BOM, also when it is split, and keeps a partial one as content", () => {
    expect(
      parseChunks([new Uint8Array([0xef]), new Uint8Array([0xbb]), encode("\uFEFF").subarray(2), encode("data: x\n\n")])
    )
      .toEqual({ events: [message("x")], truncated: false })
    // a second BOM is part of the first field name: the line is ignored
    expect(parseChunks([encode("\uFEFF\uFEFFdata: x\n\n")])).toEqual({ events: [], truncated: false })
    // EF BB followed by something else is an invalid sequence, decoded as U+FFFD in the field name
    expect(parseChunks([new Uint8Array([0xef, 0xbb]), encode("data: x\n\n")])).toEqual({ events: [], truncated: false })
    expect(parseChunks([new Uint8Array([0xef, 0xbb])])).toEqual({ events: [], truncated: true })
  })

  it("decodes invalid UTF-8 with replacement characters like a whole-input decode", () => {
    const bytes = new Uint8Array([...encode("data: a"), 0xe2, 0x82, ...encode("b"), 0xff, ...encode("\n\n")])
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks(split(bytes, [cut])).events).toEqual([message("a\uFFFDb\uFFFD")])
    }
  })

  it("reports pending data and resets on end", () => {
    const parser = ServerSentEvents.makeParser()
    expect(parser.hasPendingData).toBe(false)
    parser.push(encode(": comment\n"))
    expect(parser.hasPendingData).toBe(false)
    parser.push(encode("id: 1\ndata: x\n"))
    expect(parser.hasPendingData).toBe(true)
    parser.push(encode("\ndata: y"))
    expect(parser.hasPendingData).toBe(true)
    expect(parser.end()).toBe(true)
    expect(parser.hasPendingData).toBe(false)
    // after end the parser reads a new stream, BOM check and last event id included
    expect(parser.push(encode("\uFEFFdata: z\n\n"))).toEqual([message("z")])
    expect(parser.end()).toBe(false)
  })

  it("does not keep references to the caller's chunks (a reused read buffer)", () => {
    const text = grokStream(unicodePayloads)
    const bytes = encode(text)
    const buffer = new Uint8Array(37)
    const parser = ServerSentEvents.makeParser()
    const events: Array<ServerSentEvent> = []
    for (let offset = 0; offset < bytes.length; offset += buffer.length) {
      const chunk = bytes.subarray(offset, offset + buffer.length)
      buffer.set(chunk)
      events.push(...parser.push(buffer.subarray(0, chunk.length)))
      buffer.fill(0x0a)
    }
    expect(events).toEqual(grokEvents(unicodePayloads))
    expect(parser.end()).toBe(false)
  })

  it("rejects a non-positive maxEventBytes", () => {
    expect(() => ServerSentEvents.makeParser({ maxEventBytes: 0 })).toThrow(RangeError)
  })
})

describe("ServerSentEvents event size limit", () => {
  const limit = ServerSentEvents.defaultMaxEventBytes

  // heapUsed + arrayBuffers, after a full GC when one can be obtained
  const collectGarbage = (() => {
    try {
      v8.setFlagsFromString("--expose-gc")
      return vm.runInNewContext("gc") as () => void
    } catch {
      return () => {}
    }
  })()
  const memory = (): number => {
    const usage = process.memoryUsage()
    return usage.heapUsed + usage.arrayBuffers
  }

  it("is 10 MiB by default", () => {
    expect(limit).toBe(10 * 1024 * 1024)
  })

  it("fails an unterminated 100 MiB data line fed in 64 KiB chunks with the typed error, memory bounded", () => {
    const chunkSize = 64 * 1024
    const total = 100 * 1024 * 1024
    const first = new Uint8Array(chunkSize).fill(0x61)
    first.set(encode("data: "))
    const rest = new Uint8Array(chunkSize).fill(0x61)
    const parser = ServerSentEvents.makeParser()
    collectGarbage()
    const before = memory()
    let peak = before
    let fed = 0
    let error: unknown
    try {
      for (let offset = 0; offset < total; offset += chunkSize) {
        fed += chunkSize
        parser.push(offset === 0 ? first : rest)
        peak = Math.max(peak, memory())
      }
    } catch (caught) {
      error = caught
    }
    peak = Math.max(peak, memory())
    expect(error).toBeInstanceOf(ServerSentEvents.ServerSentEventsError)
    expect(error).toMatchObject({ _tag: "ServerSentEventsError", reason: "EventTooLarge", limitBytes: limit })
    expect(fed).toBeGreaterThan(limit)
    expect(fed).toBeLessThanOrEqual(limit + chunkSize)
    expect(peak - before).toBeLessThan(2 * limit)
    // the failure is sticky
    expect(() => parser.push(encode("\n\n"))).toThrow(ServerSentEvents.ServerSentEventsError)
    expect(() => parser.end()).toThrow(ServerSentEvents.ServerSentEventsError)
  })

  it("parses an 8 MiB data line (multi-byte characters) fragmented into 1 KiB chunks", () => {
    // 15 bytes per repetition, so 1 KiB chunks cut inside the 2-, 3- and 4-byte characters
    const value = "é€😀 grok ".repeat(Math.ceil((8 * 1024 * 1024) / 15))
    const bytes = encode(`data: ${value}\n\n`)
    expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024)
    const parser = ServerSentEvents.makeParser()
    const events: Array<ServerSentEvent> = []
    for (let offset = 0; offset < bytes.length; offset += 1024) {
      events.push(...parser.push(bytes.subarray(offset, offset + 1024)))
    }
    expect(events.length).toBe(1)
    expect(events[0]!.data.length).toBe(value.length)
    expect(events[0]!.data === value).toBe(true)
    expect(parser.end()).toBe(false)
  })

  it("counts the pending line plus pending data, exactly at the limit, whatever the splitting", () => {
    const cases: ReadonlyArray<readonly [text: string, maxEventBytes: number, fails: boolean]> = [
      ["data: 0123456789\n\n", 16, false], // the line is 16 bytes
      ["data: 0123456789\n\n", 15, true],
      ["data: 0123\ndata: 0123456789\n\n", 20, false], // 4 data bytes + a 16-byte line
      ["data: 0123\ndata: 0123456789\n\n", 19, true],
      ["data: 0123\ndata: 0123\ndata: 0123456789\n\n", 25, false], // 4 + 1 + 4 data bytes + a 16-byte line
      ["data: 0123\ndata: 0123\ndata: 0123456789\n\n", 24, true],
      [": a comment longer than 16 bytes\n\n", 16, true],
      ["data: 0123456789\n\n".repeat(100), 16, false] // data is released at each dispatch
    ]
    for (const [text, maxEventBytes, fails] of cases) {
      const bytes = encode(text)
      for (let cut = 0; cut <= bytes.length; cut++) {
        let error: unknown
        try {
          parseChunks(split(bytes, [cut]), { maxEventBytes })
        } catch (caught) {
          error = caught
        }
        expect(error instanceof ServerSentEvents.ServerSentEventsError, `${JSON.stringify(text)} cut ${cut}`).toBe(
          fails
        )
      }
    }
  })
})

describe("ServerSentEvents.decode", () => {
  it.effect("decodes every fixture from a stream of chunks pulled one at a time", () =>
    Effect.gen(function*() {
      const random = makeRandom(20260211)
      for (const fixture of fixtures) {
        const cuts = Array.from({ length: 8 }, () => random.integer(fixture.bytes.length + 1)).sort((a, b) => a - b)
        const events = yield* Stream.fromIterable(split(fixture.bytes, cuts), { chunkSize: 1 }).pipe(
          ServerSentEvents.decode(),
          Stream.runCollect
        )
        expect(events, fixture.name).toEqual(fixture.events)
      }
    }))

  it.effect("decodes chunks that arrive in one batch", () =>
    Effect.gen(function*() {
      const fixture = fixtures[0]!
      const chunks = Array.from(
        { length: fixture.bytes.length },
        (_, index) => fixture.bytes.subarray(index, index + 1)
      )
      const events = yield* Stream.fromArray(chunks).pipe(ServerSentEvents.decode(), Stream.runCollect)
      expect(events).toEqual(fixture.events)
    }))

  it.effect("ends normally on an empty stream and drops an incomplete trailing event", () =>
    Effect.gen(function*() {
      expect(yield* Stream.empty.pipe(ServerSentEvents.decode(), Stream.runCollect)).toEqual([])
      const events = yield* Stream.make(encode("data: a\n\ndata: b\n")).pipe(
        ServerSentEvents.decode(),
        Stream.runCollect
      )
      expect(events).toEqual([message("a")])
    }))

  it.effect("propagates an upstream failure after the events before it", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const error = yield* Stream.make(encode("data: a\n\n"), encode("data: b\n\ndata: c")).pipe(
        Stream.concat(Stream.fail("socket reset" as const)),
        ServerSentEvents.decode(),
        Stream.runForEach((event) => Effect.sync(() => seen.push(event.data))),
        Effect.flip
      )
      expect(seen).toEqual(["a", "b"])
      expect(error).toBe("socket reset")
    }))

  it.effect("emits the events completed in the same chunk before an oversized event, then fails", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const error = yield* Stream.make(encode("data: a\n\ndata: b\n\ndata: " + "x".repeat(2000))).pipe(
        ServerSentEvents.decode({ maxEventBytes: 1024 }),
        Stream.runForEach((event) => Effect.sync(() => seen.push(event.data))),
        Effect.flip
      )
      expect(seen).toEqual(["a", "b"])
      expect(error).toMatchObject({ _tag: "ServerSentEventsError", reason: "EventTooLarge", limitBytes: 1024 })
    }))

  it.effect("emits the events before an oversized one, then fails with EventTooLarge (lazy 100 MiB)", () =>
    Effect.gen(function*() {
      const chunkSize = 64 * 1024
      const filler = new Uint8Array(chunkSize).fill(0x62)
      let produced = 0
      function* chunks(): Generator<Uint8Array> {
        yield encode("data: ok\n\ndata: ")
        for (let offset = 0; offset < 100 * 1024 * 1024; offset += chunkSize) {
          produced += chunkSize
          yield filler
        }
      }
      const seen: Array<string> = []
      const error = yield* Stream.fromIterable(chunks(), { chunkSize: 1 }).pipe(
        ServerSentEvents.decode({ maxEventBytes: 1024 * 1024 }),
        Stream.runForEach((event) => Effect.sync(() => seen.push(event.data))),
        Effect.flip
      )
      expect(seen).toEqual(["ok"])
      expect(error).toBeInstanceOf(ServerSentEvents.ServerSentEventsError)
      expect(error).toMatchObject({ reason: "EventTooLarge", limitBytes: 1024 * 1024 })
      expect(produced).toBeLessThanOrEqual(1024 * 1024 + chunkSize)
    }))
})
