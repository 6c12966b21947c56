import { describe, expect, it } from "@effect/vitest"
import {
  ChatCompletion,
  ChatCompletionChunk,
  costInUsDollars,
  decodeChatCompletion,
  decodeChatCompletionChunk,
  ErrorBody,
  errorBodyCode,
  errorBodyMessage,
  ModelList,
  parseErrorBody,
  tolerantParseOptions
} from "@grokit/core"
import { Effect, Schema } from "effect"
import * as Samples from "./fixtures/responses.ts"

describe("response Schemas", () => {
  const completions = {
    textWithReasoning: Samples.textWithReasoning,
    toolCall: Samples.toolCall,
    openApiExample: Samples.openApiExample,
    withCitationsAndUnknownFields: Samples.withCitationsAndUnknownFields
  }
  for (const [name, sample] of Object.entries(completions)) {
    it.effect(`decodes the completion sample ${name}`, () =>
      Effect.gen(function*() {
        const completion = yield* decodeChatCompletion(sample)
        expect(completion.id).toBe(sample.id)
        expect(completion.choices[0]?.message.role).toBe("assistant")
      }))
  }

  const chunks = {
    chunkFirstReasoning: Samples.chunkFirstReasoning,
    chunkToolCallWhole: Samples.chunkToolCallWhole,
    chunkToolCallWithoutIndex: Samples.chunkToolCallWithoutIndex,
    chunkFinish: Samples.chunkFinish,
    chunkUsageOnly: Samples.chunkUsageOnly,
    chunkFinishWithCitations: Samples.chunkFinishWithCitations,
    chunkGatewayNulls: Samples.chunkGatewayNulls
  }
  for (const [name, sample] of Object.entries(chunks)) {
    it.effect(`decodes the chunk sample ${name}`, () =>
      Effect.gen(function*() {
        const chunk = yield* decodeChatCompletionChunk(sample)
        expect(chunk.object).toBe("chat.completion.chunk")
      }))
  }

  it.effect("keeps tool calls, reasoning, usage details and cost", () =>
    Effect.gen(function*() {
      const completion = yield* decodeChatCompletion(Samples.toolCall)
      const message = completion.choices[0]!.message
      expect(message.tool_calls?.[0]).toEqual({
        id: "call_93562515",
        type: "function",
        function: { name: "weather", arguments: "{\"location\":\"San Francisco\"}" }
      })
      expect(message.reasoning_content).toContain("weather")
      expect(completion.choices[0]!.finish_reason).toBe("tool_calls")
      expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(244)
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(189)
      expect(costInUsDollars(completion.usage!)).toBeCloseTo(0.0001399, 10)
    }))

  it.effect("tolerates unknown fields and an unknown finish reason, and keeps citations", () =>
    Effect.gen(function*() {
      const completion = yield* decodeChatCompletion(Samples.withCitationsAndUnknownFields)
      expect(completion.citations).toEqual(["https://example.com/a", "https://example.com/b"])
      expect(completion.choices[0]!.finish_reason).toBe("end_turn")
      expect("debug_output" in completion).toBe(false)
    }))

  it.effect("decodes a usage-only chunk with no choices", () =>
    Effect.gen(function*() {
      const chunk = yield* decodeChatCompletionChunk(Samples.chunkUsageOnly)
      expect(chunk.choices).toEqual([])
      expect(chunk.usage?.cost_in_usd_ticks).toBe(1330500)
    }))

  it.effect("fails on a completion without choices, naming the path", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(decodeChatCompletion({ ...Samples.openApiExample, choices: undefined }))
      expect(error.message).toContain("choices")
    }))

  describe("error bodies", () => {
    const shapes = [
      [
        "{code, error}",
        Samples.errorStatusShape,
        "Only messages of role 'user' can have a name.",
        "Client specified an invalid argument"
      ],
      ["{error: string}", Samples.errorStringShape, Samples.errorStringShape.error, undefined],
      [
        "{error: {message, type, code}}",
        Samples.errorObjectShape,
        "Invalid value: temperature must be between 0 and 2",
        "invalid_value"
      ],
      [
        "in-band HTTP 200",
        Samples.errorInHttp200,
        "Timed out waiting for first token",
        "The service is currently unavailable"
      ]
    ] as const
    for (const [name, body, message, code] of shapes) {
      it(`reads the ${name} shape`, () => {
        const parsed = parseErrorBody(body)
        expect(parsed).toBeDefined()
        expect(errorBodyMessage(parsed!)).toBe(message)
        expect(errorBodyCode(parsed!)).toBe(code)
        expect(Schema.decodeUnknownSync(ErrorBody)(body)).toBeDefined()
      })
    }
    it("never takes a completion for an error", () => {
      expect(parseErrorBody(Samples.textWithReasoning)).toBeUndefined()
      expect(parseErrorBody({ choices: [], error: "x" })).toBeUndefined()
      expect(parseErrorBody("error")).toBeUndefined()
    })
  })

  it("decodes the models list", () => {
    const list = Schema.decodeUnknownSync(ModelList, tolerantParseOptions)(Samples.modelList)
    expect(list.data.map((model) => model.id)).toEqual(["grok-4.3", "grok-4.20-0309-reasoning"])
  })

  it.prop(
    "round-trips 1,000 generated completions and chunks",
    [ChatCompletion, ChatCompletionChunk],
    ([completion, chunk]) => {
      expect(Schema.decodeUnknownSync(ChatCompletion)(Schema.encodeSync(ChatCompletion)(completion))).toEqual(
        completion
      )
      expect(Schema.decodeUnknownSync(ChatCompletionChunk)(Schema.encodeSync(ChatCompletionChunk)(chunk))).toEqual(
        chunk
      )
    },
    { arbitrary: { runs: 1000 } }
  )
})
