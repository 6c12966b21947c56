import { assert, describe, expect, it } from "@effect/vitest"
import {
  CreateChatCompletionInput,
  createChatCompletionInputJsonSchema,
  decodeCreateChatCompletionInput,
  GrokError,
  strictParseOptions,
  toChatCompletionRequest
} from "@grokit/core"
import type { SeedCreateChatCompletionInput } from "@grokit/core"
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"

const seedSchema = JSON.parse(
  readFileSync(new URL("../seed/create_chat_completion.input.schema.json", import.meta.url), "utf8")
) as Record<string, unknown>

/** Spellings that mean the same in JSON Schema: `required` is a set, `additionalProperties: {}` is the default. */
const normalize = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(normalize)
  if (typeof node !== "object" || node === null) return node
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(node).sort()) {
    const value = (node as Record<string, unknown>)[key]
    if (
      key === "additionalProperties" && typeof value === "object" && value !== null && Object.keys(value).length === 0
    ) {
      continue
    }
    out[key] = key === "required" && Array.isArray(value) ? [...value].sort() : normalize(value)
  }
  return out
}

const failureOf = <A>(effect: Effect.Effect<A, GrokError>) => Effect.flip(effect)

describe("CreateChatCompletionInput", () => {
  describe("JSON Schema export", () => {
    const ours = normalize(createChatCompletionInputJsonSchema()) as Record<string, any>
    const seed = normalize(seedSchema) as Record<string, any>

    it("has the seed's top level: draft-07, object, required, no additional properties", () => {
      expect(ours.$schema).toBe("http://json-schema.org/draft-07/schema#")
      expect(ours.type).toBe(seed.type)
      expect(ours.required).toEqual(seed.required)
      expect(ours.additionalProperties).toBe(false)
      expect(Object.keys(ours.properties)).toEqual(Object.keys(seed.properties))
    })

    for (const field of Object.keys(seedSchema.properties as object).sort()) {
      it(`matches the seed field by field: ${field}`, () => {
        expect(ours.properties[field]).toEqual(seed.properties[field])
      })
    }

    it("is equal in meaning to the seed file as a whole", () => {
      expect(ours).toEqual(seed)
    })
  })

  describe("types", () => {
    type Mutable<T> = T extends ReadonlyArray<infer Item> ? Array<Mutable<Item>>
      : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> }
      : T
    type Assignable<From, To> = [From] extends [To] ? true : false
    type SchemaType = Mutable<CreateChatCompletionInput>

    it("the generated seed type and the Schema's type are mutually assignable (modulo readonly)", () => {
      const schemaToGenerated: Assignable<SchemaType, SeedCreateChatCompletionInput> = true
      const generatedToSchema: Assignable<SeedCreateChatCompletionInput, SchemaType> = true
      expect([schemaToGenerated, generatedToSchema]).toEqual([true, true])
    })
  })

  describe("decoding", () => {
    it.effect("accepts a minimal input", () =>
      Effect.gen(function*() {
        const input = yield* decodeCreateChatCompletionInput({
          model: "grok-4.3",
          messages: [{ role: "user", content: "Hi" }]
        })
        expect(input.model).toBe("grok-4.3")
      }))

    it.effect("names the path and the rule of every issue", () =>
      Effect.gen(function*() {
        const error = yield* failureOf(decodeCreateChatCompletionInput({
          model: "grok-4.3",
          messages: [{ role: "user", content: "Hi" }],
          temperature: 3,
          top_p: -1
        }))
        expect(error.reason._tag).toBe("InvalidRequest")
        expect(error.message).toContain("temperature: expected a value between 0 and 2, got 3")
        expect(error.message).toContain("top_p: expected a value between 0 and 1, got -1")
      }))

    it.prop(
      "round-trips 1,000 Schema-generated seed inputs (decode . encode = id)",
      [CreateChatCompletionInput],
      ([input]) => {
        const encoded = Schema.encodeSync(CreateChatCompletionInput)(input)
        const decoded = Schema.decodeUnknownSync(CreateChatCompletionInput, strictParseOptions)(
          JSON.parse(JSON.stringify(encoded))
        )
        assert.deepStrictEqual(decoded, JSON.parse(JSON.stringify(input)))
      },
      { arbitrary: { runs: 1000 } }
    )
  })

  describe("toChatCompletionRequest", () => {
    it.effect("maps image parts, max_tokens and a single stop string to the wire", () =>
      Effect.gen(function*() {
        const request = yield* toChatCompletionRequest({
          model: "grok-4.3",
          messages: [
            { role: "system", content: "Be brief." },
            {
              role: "user",
              name: "ada",
              content: [
                { type: "text", text: "What is this?" },
                { type: "image", image_url: { url: "https://example.com/cat.png", detail: "low" } }
              ]
            },
            { role: "assistant", content: "A cat." }
          ],
          max_tokens: 100,
          stop: "END",
          tools: [{ type: "function", function: { name: "look", parameters: { type: "object" } } }],
          tool_choice: "auto",
          temperature: 0.5
        })
        expect(request).toEqual({
          model: "grok-4.3",
          messages: [
            { role: "system", content: "Be brief." },
            {
              role: "user",
              name: "ada",
              content: [
                { type: "text", text: "What is this?" },
                { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } }
              ]
            },
            { role: "assistant", content: "A cat." }
          ],
          max_completion_tokens: 100,
          stop: ["END"],
          tools: [{ type: "function", function: { name: "look", parameters: { type: "object" } } }],
          tool_choice: "auto",
          temperature: 0.5
        })
      }))

    it.effect("refuses search_parameters with LiveSearchRemoved, naming the replacement", () =>
      Effect.gen(function*() {
        const error = yield* failureOf(toChatCompletionRequest({
          model: "grok-4.3",
          messages: [{ role: "user", content: "news?" }],
          search_parameters: { mode: "off" }
        }))
        expect(error.reason._tag).toBe("LiveSearchRemoved")
        expect(error.isRetryable).toBe(false)
        expect(error.message).toContain("web_search")
        expect(error.message).toContain("410")
      }))

    it.effect("refuses what xAI would refuse, each with its path", () =>
      Effect.gen(function*() {
        const error = yield* failureOf(toChatCompletionRequest({
          model: "grok-4.3",
          messages: [
            { role: "system", name: "boss", content: "x" },
            { role: "tool", content: "42" }
          ],
          tools: [{ type: "live_search", function: { name: "search" } }],
          logit_bias: { "50256": 500, "not-a-token": 1 }
        }))
        const message = error.message
        expect(message).toContain("messages[0].name: xAI accepts a name only on user messages")
        expect(message).toContain("messages[1]: a tool message needs the tool_call_id")
        expect(message).toContain("tools[0].type: expected \"function\", got \"live_search\"")
      }))

    it.effect("checks logit_bias against the wire bounds", () =>
      Effect.gen(function*() {
        const error = yield* failureOf(toChatCompletionRequest({
          model: "grok-4.3",
          messages: [{ role: "user", content: "x" }],
          logit_bias: { "50256": 500 }
        }))
        expect(error.message).toContain("logit_bias[\"50256\"]: expected a value between -100 and 100, got 500")
      }))
  })
})
