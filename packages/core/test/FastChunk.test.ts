import { describe, expect, it } from "@effect/vitest"
import { ChatCompletionChunk, tolerantParseOptions } from "@grokit/core"
import { Schema } from "effect"
// The fast path is internal (the package does not export it): loaded by its file, tested against the Schema.
import type * as FastChunk from "../src/internal/FastChunk.ts"

const { decodeChunkFast }: typeof FastChunk = await import(
  new URL("../src/internal/FastChunk.ts", import.meta.url).href
)

const decodeChunk = Schema.decodeUnknownExit(ChatCompletionChunk, tolerantParseOptions)
const encodeChunk = Schema.encodeSync(ChatCompletionChunk)

// What the reader gives the fast path: a value fresh from JSON.parse.
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

/** The fast path and the Schema agree: the same value (same keys in the same order), or the Schema decides. */
const agree = (json: unknown): boolean => {
  const fast = decodeChunkFast(json)
  if (fast === undefined) return false
  const exit = decodeChunk(json)
  expect(exit._tag).toBe("Success")
  if (exit._tag === "Success") {
    expect(fast).toStrictEqual(exit.value)
    expect(JSON.stringify(fast)).toBe(JSON.stringify(exit.value))
    expect(fast).not.toBe(json)
  }
  return true
}

// Seeded PRNG (mulberry32)
const makeRandom = (seed: number) => {
  let state = seed >>> 0
  return (below: number): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below)
  }
}

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }

// Reduces a chunk to the shape the fast path handles: no usage, tool calls or citations.
const common = (json: Record<string, Json>, random: (below: number) => number): Record<string, Json> => {
  const out = { ...json }
  for (const key of ["usage", "citations"]) {
    if (key in out) {
      if (random(2) === 0) delete out[key]
      else out[key] = null
    }
  }
  out.choices = (out.choices as Array<Record<string, Json>>).map((choice) => {
    const delta = { ...(choice.delta as Record<string, Json>) }
    if ("tool_calls" in delta) {
      if (random(2) === 0) delete delta.tool_calls
      else delta.tool_calls = null
    }
    return { ...choice, delta }
  })
  return out
}

const replacements: ReadonlyArray<Json | "delete" | "extra"> = [
  null,
  "delete",
  "extra",
  "text",
  "",
  0,
  -1,
  1.5,
  1e300,
  2 ** 53,
  true,
  [],
  ["a"],
  {},
  { index: 0, delta: {} }
]

// Every container path of a JSON value, the root included.
const paths = (value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> => {
  const found: Array<Array<string | number>> = [prefix]
  if (Array.isArray(value)) {
    value.forEach((item, index) => found.push(...paths(item, [...prefix, index])))
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]))
  }
  return found
}

// Replaces (or deletes, or adds an unknown key next to) the value at a random path.
const mutate = (json: Json, random: (below: number) => number): Json => {
  const copy = JSON.parse(JSON.stringify(json)) as Json
  const all = paths(copy)
  const path = all[random(all.length)]!
  const replacement = replacements[random(replacements.length)]!
  if (path.length === 0) return replacement === "delete" || replacement === "extra" ? [] : replacement
  let parent = copy as Record<string | number, Json>
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>
  const last = path[path.length - 1]!
  if (replacement === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
  } else if (replacement === "extra") {
    const target = parent[last]
    if (target !== null && typeof target === "object" && !Array.isArray(target)) target["x_unknown"] = { a: 1 }
    else parent[last] = { x_unknown: 1 }
  } else {
    parent[last] = replacement
  }
  return copy
}

describe("FastChunk.decodeChunkFast", () => {
  it("decodes the common shapes like the Schema, unknown keys dropped, Schema key order", () => {
    const base = { id: "a", object: "chat.completion.chunk", created: 1, model: "m" }
    const samples: ReadonlyArray<unknown> = [
      { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" } }], system_fingerprint: "fp" },
      { ...base, choices: [{ index: 0, delta: { content: "word" } }], system_fingerprint: "fp" },
      {
        choices: [{ delta: { content: "x", role: "r", zz: 1 }, index: 0, qq: 2 }],
        model: "m",
        created: 1.5,
        id: "a",
        object: "o",
        extra: true
      },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop", logprobs: { content: [] } }] },
      {
        ...base,
        choices: [{ index: 3, delta: { reasoning_content: "r", refusal: null, tool_calls: null } }],
        usage: null,
        citations: null,
        service_tier: "priority",
        system_fingerprint: null
      },
      { ...base, choices: [] }
    ]
    for (const sample of samples) expect(agree(wire(sample))).toBe(true)
  })

  it("leaves usage, tool calls, citations and every invalid chunk to the Schema", () => {
    const base = { id: "a", object: "chat.completion.chunk", created: 1, model: "m" }
    const others: ReadonlyArray<unknown> = [
      { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
      {
        ...base,
        choices: [{ index: 0, delta: { tool_calls: [{ id: "c", function: { name: "f", arguments: "{}" } }] } }]
      },
      { ...base, choices: [], citations: ["https://example.com"] },
      { ...base, choices: [{ index: -1, delta: {} }] },
      { ...base, choices: [{ index: 0.5, delta: {} }] },
      { ...base, choices: [{ index: 2 ** 53, delta: {} }] },
      { ...base, created: "1", choices: [] },
      { ...base, created: Infinity, choices: [] },
      { ...base, choices: [{ index: 0 }] },
      { ...base, choices: [{ index: 0, delta: [] }] },
      { ...base, choices: [{ index: 0, delta: { content: 1 } }] },
      { ...base, choices: {} },
      { id: "a", object: "o", created: 1, choices: [] },
      [],
      null,
      "chunk"
    ]
    for (const other of others) expect(decodeChunkFast(other)).toBeUndefined()
  })

  it.prop(
    "agrees with the Schema on 1,000 generated chunks, their common-shape reductions and mutations of both",
    [ChatCompletionChunk, Schema.Int],
    ([chunk, seed]) => {
      const random = makeRandom(seed)
      const json = wire(encodeChunk(chunk)) as Record<string, Json>
      agree(json)
      const reduced = common(json, random)
      expect(agree(reduced)).toBe(true)
      for (let round = 0; round < 8; round++) {
        const mutated = mutate(random(2) === 0 ? reduced : json, random)
        if (decodeChunkFast(mutated) !== undefined) agree(mutated)
      }
    },
    { arbitrary: { runs: 1000 } }
  )
})
