/**
 * Seeded fuzzed JSON-RPC traffic: valid requests with odd ids, wrong types, notifications,
 * responses, batches, garbage, deep nesting. Each message says what a correct server owes it.
 */

/** mulberry32: a small seeded generator, so that a failing run can be replayed from its seed. */
export const random = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FuzzMessage {
  /** What is sent: one line of text (no newline inside). */
  readonly text: string
  readonly kind: string
  /** The id of a well-formed request, which must be answered exactly once with this id. */
  readonly requestId?: string | number | undefined
  /** A well-formed notification: no answer. */
  readonly notification?: boolean | undefined
}

const methods = [
  "ping",
  "tools/list",
  "resources/list",
  "prompts/list",
  "resources/templates/list",
  "completion/complete",
  "logging/setLevel",
  "unknown/method",
  "tools/call"
]

export const makeFuzz = (seed: number) => {
  const next = random(seed)
  let counter = 0
  const pick = <A>(values: ReadonlyArray<A>): A => values[Math.floor(next() * values.length)]!
  const int = (max: number) => Math.floor(next() * max)

  /** A unique, valid id of an odd shape. */
  const id = (): string | number => {
    const n = ++counter
    switch (int(8)) {
      case 0:
        return n
      case 1:
        return -n
      case 2:
        return n + 0.25
      case 3:
        return 2 ** 52 + n
      case 4:
        return `s-${n}`
      case 5:
        return `ü-ñ-€-${n}`
      case 6:
        return `${"x".repeat(1_000)}-${n}`
      default:
        return n * 1e290
    }
  }

  const randomValue = (depth = 0): unknown => {
    switch (int(depth > 2 ? 5 : 8)) {
      case 0:
        return null
      case 1:
        return next() < 0.5
      case 2:
        return pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53, 42])
      case 3:
        return pick(["", "grok-4.3", "\u0000", "ü", "x".repeat(500), "{\"a\":1}"])
      case 4:
        return []
      case 5:
        return Array.from({ length: int(3) }, () => randomValue(depth + 1))
      case 6:
        return { [pick(["model", "messages", "a", "__proto__", "constructor"])]: randomValue(depth + 1) }
      default:
        return {}
    }
  }

  const toolCallParams = (): unknown => {
    switch (int(6)) {
      case 0:
        return { name: "list_models", arguments: {} }
      case 1:
        return { name: "get_model", arguments: { model_id: pick(["grok-4.3", "", "nope", 5]) } }
      case 2:
        return {
          name: "create_chat_completion",
          arguments: { model: "grok-4.3", messages: [{ role: "user", content: "fuzz" }] }
        }
      case 3:
        return { name: "create_chat_completion", arguments: randomValue() }
      case 4:
        return { name: pick(["no_such_tool", "", "x".repeat(300)]), arguments: {} }
      default:
        return {
          name: "create_chat_completion",
          arguments: { model: randomValue(), messages: randomValue(), temperature: randomValue() }
        }
    }
  }

  const paramsFor = (method: string): unknown => {
    switch (method) {
      case "tools/call":
        return toolCallParams()
      case "logging/setLevel":
        return { level: pick(["debug", "info", "error", "nonsense"]) }
      case "completion/complete":
        return { ref: { type: "ref/prompt", name: "x" }, argument: { name: "a", value: "b" } }
      default:
        return next() < 0.5 ? undefined : {}
    }
  }

  const line = (value: unknown) => JSON.stringify(value)

  const message = (): FuzzMessage => {
    const roll = next()
    if (roll < 0.45) {
      const requestId = id()
      const method = pick(methods)
      const params = paramsFor(method)
      return {
        kind: `request ${method}`,
        requestId,
        text: line({ jsonrpc: "2.0", id: requestId, method, ...(params === undefined ? {} : { params }) })
      }
    }
    if (roll < 0.6) {
      // Wrong types in the envelope.
      const n = ++counter
      return pick<FuzzMessage>([
        { kind: "id object", text: line({ jsonrpc: "2.0", id: { n }, method: "ping" }) },
        { kind: "id array", text: line({ jsonrpc: "2.0", id: [n], method: "ping" }) },
        { kind: "id boolean", text: line({ jsonrpc: "2.0", id: true, method: "ping" }) },
        { kind: "id null", text: line({ jsonrpc: "2.0", id: null, method: "ping" }) },
        { kind: "method number", text: line({ jsonrpc: "2.0", id: `m-${n}`, method: 42 }) },
        { kind: "jsonrpc 1.0", text: line({ jsonrpc: "1.0", id: `v-${n}`, method: "ping" }) },
        { kind: "no jsonrpc", text: line({ id: `j-${n}`, method: "ping" }) },
        { kind: "params string", text: line({ jsonrpc: "2.0", id: `p-${n}`, method: "tools/call", params: "x" }) },
        { kind: "params array", text: line({ jsonrpc: "2.0", id: `a-${n}`, method: "tools/call", params: [1] }) },
        { kind: "params number", text: line({ jsonrpc: "2.0", id: `q-${n}`, method: "ping", params: 5 }) },
        {
          kind: "tool name number",
          text: line({ jsonrpc: "2.0", id: `t-${n}`, method: "tools/call", params: { name: 5 } })
        },
        {
          kind: "arguments string",
          text: line({
            jsonrpc: "2.0",
            id: `r-${n}`,
            method: "tools/call",
            params: { name: "list_models", arguments: "x" }
          })
        },
        { kind: "empty object", text: "{}" },
        { kind: "only an id", text: line({ id: `o-${n}` }) }
      ])
    }
    if (roll < 0.7) {
      return {
        kind: "notification",
        notification: true,
        text: line({ jsonrpc: "2.0", method: pick(["notifications/initialized", "notifications/unknown", "ping"]) })
      }
    }
    if (roll < 0.75) {
      return { kind: "response", text: line({ jsonrpc: "2.0", id: `resp-${++counter}`, result: {} }) }
    }
    if (roll < 0.8) {
      return { kind: "batch", text: line([{ jsonrpc: "2.0", id: `b-${++counter}`, method: "ping" }]) }
    }
    if (roll < 0.83) {
      const depth = 2_000 + int(3_000)
      return { kind: "deep nesting", text: "[".repeat(depth) + "]".repeat(depth) }
    }
    // Garbage: random printable bytes, truncated JSON, JSON scalars.
    return pick<FuzzMessage>([
      {
        kind: "random bytes",
        text: Array.from({ length: 1 + int(200) }, () => String.fromCharCode(32 + int(95))).join("")
      },
      { kind: "truncated JSON", text: line({ jsonrpc: "2.0", id: ++counter, method: "ping" }).slice(0, 20) },
      { kind: "scalar", text: pick(["42", "\"text\"", "null", "true"]) },
      { kind: "binary", text: Array.from({ length: 1 + int(64) }, () => String.fromCharCode(128 + int(127))).join("") }
    ])
  }

  return { message }
}

/** A JSON-RPC response id as JSON writes it back (`1e+300` for 1e300, and so on). */
export const sameId = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
