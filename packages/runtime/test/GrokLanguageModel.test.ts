import { describe, expect, it } from "@effect/vitest"
import {
  ChatCompletion,
  ChatCompletionChunk,
  type ChatCompletionRequest,
  GrokClient,
  GrokError,
  HttpStatusError,
  InvalidRequest,
  InvalidResponse,
  QuotaExhausted,
  RateLimited,
  StreamError,
  Timeout,
  tolerantParseOptions,
  TransportError
} from "@grokit/core"
import * as GrokLanguageModel from "@grokit/runtime/GrokLanguageModel"
import { Duration, Effect, Layer, Schema, Stream } from "effect"
import { AiError, Chat, LanguageModel, Prompt, Tool, Toolkit } from "effect/ai"

// =============================================================================
// A fake GrokClient: records every request, answers scripted completions and chunk streams
// =============================================================================

interface FakeGrok {
  readonly requests: Array<ChatCompletionRequest>
  readonly layer: Layer.Layer<GrokClient>
}

const makeFakeGrok = (script: {
  readonly completions?: ReadonlyArray<ChatCompletion | GrokError>
  readonly streams?: ReadonlyArray<ReadonlyArray<ChatCompletionChunk> | GrokError>
}): FakeGrok => {
  const requests: Array<ChatCompletionRequest> = []
  const completions = [...(script.completions ?? [])]
  const streams = [...(script.streams ?? [])]
  const layer = Layer.succeed(
    GrokClient,
    GrokClient.of({
      baseUrl: "https://api.x.ai/v1",
      createChatCompletion: (request) =>
        Effect.suspend(() => {
          requests.push(request)
          const next = completions.shift()
          if (next === undefined) return Effect.die("the fake GrokClient has no completion left")
          return next instanceof GrokError ? Effect.fail(next) : Effect.succeed(next)
        }),
      streamChatCompletion: (request) =>
        Stream.suspend(() => {
          requests.push(request)
          const next = streams.shift()
          if (next === undefined) return Stream.die("the fake GrokClient has no stream left")
          return next instanceof GrokError ? Stream.fail(next) : Stream.fromIterable(next)
        }),
      listModels: Effect.die("not scripted"),
      getModel: () => Effect.die("not scripted")
    })
  )
  return { requests, layer }
}

const MODEL = "grok-3-mini"

const grok = (fake: FakeGrok, config?: GrokLanguageModel.RequestConfig) =>
  GrokLanguageModel.layer({ model: MODEL, config }).pipe(Layer.provide(fake.layer))

// =============================================================================
// Wire samples, shaped like xai-api.md appendix A1-A4
// =============================================================================

const decodeCompletion = Schema.decodeUnknownSync(ChatCompletion, tolerantParseOptions)
const decodeChunk = Schema.decodeUnknownSync(ChatCompletionChunk, tolerantParseOptions)

const usage = (prompt: number, completion: number, reasoning: number, cached: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion + reasoning,
  prompt_tokens_details: { text_tokens: prompt, audio_tokens: 0, image_tokens: 0, cached_tokens: cached },
  completion_tokens_details: {
    reasoning_tokens: reasoning,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0
  },
  num_sources_used: 0,
  cost_in_usd_ticks: 1176500
})

const completion = (options: {
  readonly id?: string
  readonly content?: string
  readonly reasoning?: string
  readonly toolCalls?: ReadonlyArray<{ readonly id: string; readonly name: string; readonly arguments: string }>
  readonly finishReason?: string
}): ChatCompletion =>
  decodeCompletion({
    id: options.id ?? "2af5c888-e886-6dcb-7844-95f8fe010b00",
    object: "chat.completion",
    created: 1770774046,
    model: MODEL,
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: options.content ?? "",
        ...(options.reasoning === undefined ? {} : { reasoning_content: options.reasoning }),
        ...(options.toolCalls === undefined ? {} : {
          tool_calls: options.toolCalls.map((call) => ({
            id: call.id,
            function: { name: call.name, arguments: call.arguments },
            type: "function"
          }))
        }),
        refusal: null
      },
      finish_reason: options.finishReason ?? (options.toolCalls === undefined ? "stop" : "tool_calls")
    }],
    usage: usage(12, 1, 228, 2),
    system_fingerprint: "fp_2a885414fb"
  })

/** A4: text with reasoning_content. */
const textCompletion = completion({
  content: "Hello",
  reasoning: "First, the user said: \"Say a single word.\" That's straightforward."
})

/** A3: one tool call, arguments as JSON text, content "". */
const toolCallCompletion = completion({
  id: "61c0468b-2a98-413e-f654-dbffcdbb62c1",
  reasoning: "The user asks about the weather in San Francisco.",
  toolCalls: [{ id: "call_93562515", name: "weather", arguments: "{\"location\":\"San Francisco\"}" }]
})

const chunks = (id: string, lines: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<ChatCompletionChunk> =>
  lines.map((line) =>
    decodeChunk({
      id,
      object: "chat.completion.chunk",
      created: 1770774058,
      model: MODEL,
      system_fingerprint: "fp_2a885414fb",
      ...line
    })
  )

const delta = (value: Record<string, unknown>) => ({ choices: [{ index: 0, delta: value }] })
const finish = (reason: string) => ({ choices: [{ index: 0, delta: {}, finish_reason: reason }] })

/** A2: streaming text with reasoning, then the usage-only chunk. */
const textChunks = chunks("7327b9f5-1c2f-0a15-3fef-c14a71c460d3", [
  delta({ reasoning_content: "First", role: "assistant" }),
  delta({ reasoning_content: "," }),
  delta({ reasoning_content: " the" }),
  delta({ reasoning_content: " user" }),
  delta({ reasoning_content: " said" }),
  delta({ content: "Hel" }),
  delta({ content: "lo" }),
  finish("stop"),
  { choices: [], usage: usage(12, 1, 290, 11) }
])

/** A1: streaming tool call, sent whole in one delta. */
const toolCallChunks = chunks("de9d896d-e946-b3a7-bb14-75ab33326930", [
  delta({ reasoning_content: "First", role: "assistant" }),
  delta({ reasoning_content: ", the user is" }),
  delta({
    tool_calls: [{
      id: "call_55117580",
      function: { name: "weather", arguments: "{\"location\":\"San Francisco\"}" },
      index: 0,
      type: "function"
    }]
  }),
  finish("tool_calls"),
  { choices: [], usage: usage(291, 26, 196, 290) }
])

// =============================================================================
// A toolkit
// =============================================================================

const Weather = Tool.make("weather", {
  description: "Get the weather in a location",
  parameters: Schema.Struct({ location: Schema.String.annotate({ description: "The city" }) }),
  success: Schema.Struct({ celsius: Schema.Finite })
})

const WeatherToolkit = Toolkit.make(Weather)

const WeatherHandlers = WeatherToolkit.toLayer({
  weather: ({ location }) => Effect.succeed({ celsius: location === "San Francisco" ? 18 : 25 })
})

// =============================================================================
// Tests
// =============================================================================

describe("GrokLanguageModel", () => {
  it.effect("generateText returns the text, reasoning, usage and response metadata", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({ completions: [textCompletion] })
      const response = yield* LanguageModel.generateText({ prompt: "Say a single word." }).pipe(
        Effect.provide(grok(fake, { temperature: 0.5, max_completion_tokens: 100 }))
      )

      expect(response.text).toBe("Hello")
      expect(response.reasoningText).toContain("Say a single word.")
      expect(response.finishReason).toBe("stop")
      expect(response.usage.inputTokens).toMatchObject({ total: 12, cacheRead: 2, uncached: 10 })
      expect(response.usage.outputTokens).toMatchObject({ total: 229, text: 1, reasoning: 228 })
      const metadata = response.content.find((part) => part.type === "response-metadata")
      expect(metadata).toMatchObject({ id: "2af5c888-e886-6dcb-7844-95f8fe010b00", modelId: MODEL })
      const finishPart = response.content.find((part) => part.type === "finish")
      expect(finishPart?.metadata).toEqual({
        xai: { costInUsdTicks: 1176500, numSourcesUsed: 0, systemFingerprint: "fp_2a885414fb" }
      })

      expect(fake.requests).toEqual([{
        temperature: 0.5,
        max_completion_tokens: 100,
        model: MODEL,
        messages: [{ role: "user", content: "Say a single word." }]
      }])
    }))

  it.effect("withConfigOverride merges request fields over the model's config", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({ completions: [textCompletion] })
      yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
        GrokLanguageModel.withConfigOverride({ temperature: 0 }),
        GrokLanguageModel.withConfigOverride({ seed: 7 }),
        Effect.provide(grok(fake, { temperature: 1, top_p: 0.9 }))
      )
      expect(fake.requests[0]).toMatchObject({ temperature: 0, top_p: 0.9, seed: 7 })
    }))

  it.effect("with a Toolkit, the model's tool call is run by effect/ai and its result comes back", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({ completions: [toolCallCompletion] })
      const response = yield* LanguageModel.generateText({ prompt: "Weather in SF?", toolkit: WeatherToolkit }).pipe(
        Effect.provide([grok(fake), WeatherHandlers])
      )

      expect(response.finishReason).toBe("tool-calls")
      expect(response.toolCalls.map((call) => [call.id, call.name, call.params])).toEqual([
        ["call_93562515", "weather", { location: "San Francisco" }]
      ])
      expect(response.toolResults.map((result) => [result.id, result.isFailure, result.result])).toEqual([
        ["call_93562515", false, { celsius: 18 }]
      ])

      const request = fake.requests[0]!
      expect(request.tool_choice).toBe("auto")
      expect(request.tools).toHaveLength(1)
      expect(request.tools?.[0]).toMatchObject({
        type: "function",
        function: {
          name: "weather",
          description: "Get the weather in a location",
          parameters: {
            type: "object",
            properties: { location: { type: "string", description: "The city" } },
            required: ["location"]
          }
        }
      })
    }))

  it.effect("a second generateText on a Chat sends the assistant tool_calls and the tool message", () => {
    const fake = makeFakeGrok({
      completions: [toolCallCompletion, completion({ content: "It is 18 degrees in San Francisco." })]
    })
    return Effect.gen(function*() {
      const chat = yield* Chat.empty
      const first = yield* chat.generateText({ prompt: "Weather in SF?", toolkit: WeatherToolkit })
      expect(first.toolResults).toHaveLength(1)
      const second = yield* chat.generateText({ prompt: [], toolkit: WeatherToolkit })
      expect(second.text).toBe("It is 18 degrees in San Francisco.")

      expect(fake.requests).toHaveLength(2)
      expect(fake.requests[1]!.messages).toEqual([
        { role: "user", content: "Weather in SF?" },
        {
          role: "assistant",
          reasoning_content: "The user asks about the weather in San Francisco.",
          tool_calls: [{
            id: "call_93562515",
            type: "function",
            function: { name: "weather", arguments: "{\"location\":\"San Francisco\"}" }
          }]
        },
        { role: "tool", tool_call_id: "call_93562515", content: "{\"celsius\":18}" }
      ])
    }).pipe(Effect.provide([grok(fake), WeatherHandlers]))
  })

  it.effect("Chat works for two turns and replays the history", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({
        completions: [completion({ content: "Hello!" }), completion({ content: "Fine, thanks." })]
      })
      const turns = Effect.gen(function*() {
        const chat = yield* Chat.fromPrompt(Prompt.empty.pipe(Prompt.setSystem("You are terse.")))
        const first = yield* chat.generateText({ prompt: "Hi" })
        const second = yield* chat.generateText({ prompt: "How are you?" })
        return [first.text, second.text]
      })
      expect(yield* turns.pipe(Effect.provide(grok(fake)))).toEqual(["Hello!", "Fine, thanks."])
      expect(fake.requests[1]!.messages).toEqual([
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "How are you?" }
      ])
    }))

  it.effect("streamText yields reasoning and text deltas, then a finish part with the usage", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({ streams: [textChunks] })
      const parts = yield* LanguageModel.streamText({ prompt: "Say a single word." }).pipe(
        Stream.runCollect,
        Effect.provide(grok(fake))
      )

      expect(parts.map((part) => part.type)).toEqual([
        "response-metadata",
        "reasoning-start",
        "reasoning-delta",
        "reasoning-delta",
        "reasoning-delta",
        "reasoning-delta",
        "reasoning-delta",
        "reasoning-end",
        "text-start",
        "text-delta",
        "text-delta",
        "text-end",
        "finish"
      ])
      const text = parts.flatMap((part) => part.type === "text-delta" ? [part.delta] : [])
      expect(text).toEqual(["Hel", "lo"])
      const finishPart = parts.at(-1)
      if (finishPart?.type !== "finish") return expect.unreachable("the last part is not a finish part")
      expect(finishPart.reason).toBe("stop")
      expect(finishPart.usage.inputTokens).toMatchObject({ total: 12, cacheRead: 11, uncached: 1 })
      expect(finishPart.usage.outputTokens).toMatchObject({ total: 291, text: 1, reasoning: 290 })
    }))

  it.effect("streamText with a Toolkit emits the whole tool call, runs it, and finishes with tool-calls", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({ streams: [toolCallChunks] })
      const parts = yield* LanguageModel.streamText({ prompt: "Weather in SF?", toolkit: WeatherToolkit }).pipe(
        Stream.runCollect,
        Effect.provide([grok(fake), WeatherHandlers])
      )
      const toolCall = parts.find((part) => part.type === "tool-call")
      expect(toolCall).toMatchObject({ id: "call_55117580", name: "weather", params: { location: "San Francisco" } })
      const toolResult = parts.find((part) => part.type === "tool-result")
      expect(toolResult).toMatchObject({ id: "call_55117580", isFailure: false, result: { celsius: 18 } })
      const finishPart = parts.at(-1)
      expect(finishPart).toMatchObject({ type: "finish", reason: "tool-calls" })
      expect(fake.requests[0]!.tools?.map((tool) => tool.function.name)).toEqual(["weather"])
    }))

  it.effect("streamText puts OpenAI-style tool call fragments together", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({
        streams: [chunks("fragments", [
          delta({ tool_calls: [{ index: 0, id: "call_1", function: { name: "weather", arguments: "" } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: "{\"location\":" } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: "\"Paris\"}" } }] }),
          finish("tool_calls")
        ])]
      })
      const parts = yield* LanguageModel.streamText({
        prompt: "Weather in Paris?",
        toolkit: WeatherToolkit,
        disableToolCallResolution: true
      }).pipe(Stream.runCollect, Effect.provide([grok(fake), WeatherHandlers]))
      const toolCalls = parts.filter((part) => part.type === "tool-call")
      expect(toolCalls).toHaveLength(1)
      expect(toolCalls[0]).toMatchObject({ id: "call_1", name: "weather", params: { location: "Paris" } })
      expect(parts.at(-1)).toMatchObject({ type: "finish", reason: "tool-calls", usage: { inputTokens: {} } })
    }))

  it.effect("generateObject sends a strict json_schema response_format and decodes the object", () =>
    Effect.gen(function*() {
      const Movie = Schema.Struct({ title: Schema.String, year: Schema.Int })
      const fake = makeFakeGrok({ completions: [completion({ content: "{\"title\":\"Dune\",\"year\":2021}" })] })
      const response = yield* LanguageModel.generateObject({
        prompt: "Which film came out in 2021?",
        schema: Movie,
        objectName: "movie"
      }).pipe(Effect.provide(grok(fake)))

      expect(response.value).toEqual({ title: "Dune", year: 2021 })
      expect(fake.requests[0]!.response_format).toMatchObject({
        type: "json_schema",
        json_schema: {
          name: "movie",
          strict: true,
          schema: {
            type: "object",
            properties: { title: { type: "string" }, year: { type: "integer" } },
            required: ["title", "year"]
          }
        }
      })
    }))

  it.effect("a RateLimited GrokError becomes an AiError with a RateLimitError reason, without the API key", () =>
    Effect.gen(function*() {
      const secret = "xai-AbCdEfGh1234567890SECRET"
      const fake = makeFakeGrok({
        completions: [
          new GrokError({
            method: "createChatCompletion",
            reason: new RateLimited({
              serverMessage: `Too many requests for key ${secret}`,
              retryAfter: Duration.seconds(3)
            })
          })
        ]
      })
      const error = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(Effect.provide(grok(fake)), Effect.flip)

      expect(AiError.isAiError(error)).toBe(true)
      expect(error.module).toBe("GrokLanguageModel")
      expect(error.method).toBe("generateText")
      expect(error.reason._tag).toBe("RateLimitError")
      expect(error.isRetryable).toBe(true)
      expect(error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter)).toBe(3000)
      const everything = `${error.message} ${JSON.stringify(error.reason)} ${String(error)}`
      expect(everything).not.toContain(secret)
    }))

  it.effect("a GrokError of a stream fails streamText with an AiError", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({
        streams: [
          new GrokError({
            method: "streamChatCompletion",
            reason: new TransportError({ description: "POST /v1/chat/completions: socket hang up (ECONNRESET)" })
          })
        ]
      })
      const error = yield* LanguageModel.streamText({ prompt: "Hi" }).pipe(
        Stream.runDrain,
        Effect.provide(grok(fake)),
        Effect.flip
      )
      expect(error.reason._tag).toBe("NetworkError")
      expect(error.method).toBe("streamText")
      expect(error.isRetryable).toBe(true)
    }))

  it("fromGrokError picks the closest AiError reason", () => {
    const reasonOf = (reason: GrokError["reason"]) =>
      GrokLanguageModel.fromGrokError(new GrokError({ method: "createChatCompletion", reason })).reason
    const status = (kind: HttpStatusError["kind"], code: number, serverMessage: string, retryable = false) =>
      new HttpStatusError({ kind, status: code, serverMessage, retryable })

    expect(reasonOf(new QuotaExhausted({ serverMessage: "used all available credits" }))._tag).toBe(
      "QuotaExhaustedError"
    )
    expect(reasonOf(status("Authentication", 401, "bad key"))).toMatchObject({
      _tag: "AuthenticationError",
      kind: "InvalidKey"
    })
    expect(reasonOf(status("BadRequest", 400, "Incorrect API key provided: xai-abcdefgh12345678"))).toMatchObject({
      _tag: "AuthenticationError",
      kind: "InvalidKey"
    })
    expect(
      JSON.stringify(reasonOf(status("BadRequest", 400, "Incorrect API key provided: xai-abcdefgh12345678")))
    ).not.toContain("xai-abcdefgh12345678")
    expect(reasonOf(status("PermissionDenied", 403, "personal-team-blocked:spending-limit"))._tag).toBe(
      "QuotaExhaustedError"
    )
    expect(reasonOf(status("PermissionDenied", 403, "no access"))).toMatchObject({
      _tag: "AuthenticationError",
      kind: "InsufficientPermissions"
    })
    expect(reasonOf(status("BadRequest", 400, "Each message must have at least one content element."))._tag).toBe(
      "InvalidRequestError"
    )
    expect(reasonOf(status("ServerError", 503, "unavailable", true))._tag).toBe("InternalProviderError")
    expect(reasonOf(new InvalidRequest({ issues: [{ path: ["messages", 0, "content"], message: "is required" }] })))
      .toMatchObject({ _tag: "InvalidRequestError", parameter: "messages[0].content", constraint: "is required" })
    expect(reasonOf(new Timeout({ phase: "idle", after: Duration.minutes(5) }))).toMatchObject({
      _tag: "NetworkError",
      reason: "TransportError"
    })
    expect(reasonOf(new InvalidResponse({ description: "not JSON", issues: [] }))._tag).toBe("InvalidResponseError")
    expect(reasonOf(new StreamError({ kind: "Truncated", description: "no [DONE]" }))._tag).toBe(
      "InternalProviderError"
    )
  })

  it.effect("tool arguments that are not JSON reach effect/ai's validation instead of crashing", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({
        completions: [completion({ toolCalls: [{ id: "call_bad", name: "weather", arguments: "{location: SF" }] })]
      })
      const error = yield* LanguageModel.generateText({ prompt: "Weather?", toolkit: WeatherToolkit }).pipe(
        Effect.provide([grok(fake), WeatherHandlers]),
        Effect.flip
      )
      expect(AiError.isAiError(error)).toBe(true)
      expect(AiError.isAiError(error) ? error.reason._tag : undefined).toBe("ToolParameterValidationError")
    }))

  it.effect("a provider-defined tool is refused with an AiError before anything is sent", () =>
    Effect.gen(function*() {
      const WebSearch = Tool.providerDefined({
        id: "xai.web_search",
        customName: "WebSearch",
        providerName: "web_search"
      })()
      const toolkit = Toolkit.make(WebSearch)
      const fake = makeFakeGrok({ completions: [textCompletion] })
      const error = yield* LanguageModel.generateText({ prompt: "Search", toolkit }).pipe(
        Effect.provide([grok(fake), toolkit.toLayer({})]),
        Effect.flip
      )
      expect(error.reason).toMatchObject({ _tag: "ToolConfigurationError", toolName: "WebSearch" })
      expect(fake.requests).toHaveLength(0)
    }))

  it.effect("toolChoice maps to tool_choice", () =>
    Effect.gen(function*() {
      const fake = makeFakeGrok({ completions: [textCompletion, textCompletion] })
      const model = grok(fake)
      yield* LanguageModel.generateText({ prompt: "Hi", toolkit: WeatherToolkit, toolChoice: { tool: "weather" } })
        .pipe(Effect.provide([model, WeatherHandlers]))
      yield* LanguageModel.generateText({ prompt: "Hi", toolkit: WeatherToolkit, toolChoice: "none" })
        .pipe(Effect.provide([model, WeatherHandlers]))
      expect(fake.requests.map((request) => request.tool_choice)).toEqual([
        { type: "function", function: { name: "weather" } },
        "none"
      ])
    }))

  it.effect("the prompt becomes wire messages without empty content", () =>
    Effect.gen(function*() {
      const prompt = Prompt.make([
        { role: "system", content: "Be brief." },
        { role: "system", content: "" },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these pictures?" },
            { type: "text", text: "" },
            { type: "file", mediaType: "image/png", data: new Uint8Array([1, 2, 3]) },
            {
              type: "file",
              mediaType: "image/jpeg",
              data: new URL("https://example.com/cat.jpg"),
              options: { xai: { imageDetail: "low" } }
            },
            { type: "file", mediaType: "image/*", data: "AQID" }
          ]
        },
        { role: "user", content: [{ type: "text", text: "" }] },
        { role: "assistant", content: [{ type: "text", text: "" }] },
        { role: "assistant", content: [{ type: "reasoning", text: "Looking." }, { type: "text", text: "A cat." }] }
      ])
      const messages = yield* GrokLanguageModel.toWireMessages(prompt)
      expect(messages).toEqual([
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these pictures?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AQID" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "low" } },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,AQID" } }
          ]
        },
        { role: "assistant", content: "A cat.", reasoning_content: "Looking." }
      ])

      const pdf = Prompt.make([{
        role: "user",
        content: [{ type: "file", mediaType: "application/pdf", fileName: "report.pdf", data: "AQID" }]
      }])
      const error = yield* Effect.flip(GrokLanguageModel.toWireMessages(pdf))
      expect(error.reason._tag).toBe("InvalidUserInputError")
    }))

  it("finish reasons map onto effect/ai's", () => {
    expect(
      [["stop"], ["end_turn"], ["length"], ["tool_calls"], ["content_filter"], ["weird"], [null], [null, true]].map((
        [reason, hasToolCalls]
      ) => GrokLanguageModel.toFinishReason(reason as string | null, hasToolCalls === true))
    ).toEqual(["stop", "stop", "length", "tool-calls", "content-filter", "other", "unknown", "tool-calls"])
  })
})
