import { assert, describe, it, layer } from "@effect/vitest"
import { decodeChatCompletion, decodeChatCompletionChunk } from "@grokit/core"
import { MockFault, MockGrok, MockScript, MockServer, startMockServer } from "@grokit/mock"
import { Effect } from "effect"
import { API_KEY, ask, chat, parseEvents, parseJson, send, tool } from "./support/Http.ts"

const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const INVALID_ARGUMENT = "Client specified an invalid argument"
const LIVE_SEARCH_BODY =
  "{\"error\":\"Live search is deprecated. Please switch to the Agent Tools API: https://docs.x.ai/docs/guides/tools/overview\"}"

layer(MockGrok.layer())("MockServer", (it) => {
  describe("chat completions", () => {
    it.effect("answers JSON in xAI's chat.completion shape", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* chat(mock.url, ask("Hello there"))
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.headers.get("content-type"), "application/json")
        const body = parseJson(answer)
        assert.match(body.id, UUID_LIKE)
        assert.strictEqual(body.object, "chat.completion")
        assert.strictEqual(body.model, "grok-4.3")
        assert.strictEqual(typeof body.created, "number")
        assert.match(body.system_fingerprint, /^fp_/)
        assert.deepStrictEqual(body.choices, [{
          index: 0,
          message: { role: "assistant", content: "You said: Hello there", refusal: null },
          finish_reason: "stop"
        }])
        const usage = body.usage
        assert.strictEqual(
          usage.total_tokens,
          usage.prompt_tokens + usage.completion_tokens + usage.completion_tokens_details.reasoning_tokens
        )
        assert.strictEqual(usage.prompt_tokens_details.cached_tokens, 0)
        assert.isAbove(usage.completion_tokens_details.reasoning_tokens, 0) // grok-4.3 reasons
        assert.strictEqual(typeof usage.cost_in_usd_ticks, "number")
        // the core decoder reads it
        const decoded = yield* decodeChatCompletion(body).pipe(Effect.orDie)
        assert.strictEqual(decoded.choices[0]!.message.content, "You said: Hello there")
      }))

    it.effect("streams SSE in xAI's chunk shape, ending with [DONE]", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* chat(mock.url, ask("one two three", { stream: true }))
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.headers.get("content-type"), "text/event-stream")
        assert.isTrue(answer.text.endsWith("data: [DONE]\n\n"))
        const { chunks, done } = parseEvents(answer.text)
        assert.isTrue(done)
        const first = chunks[0]
        assert.match(first.id, UUID_LIKE)
        for (const chunk of chunks) {
          assert.strictEqual(chunk.id, first.id)
          assert.strictEqual(chunk.object, "chat.completion.chunk")
          assert.strictEqual(chunk.created, first.created)
          assert.strictEqual(chunk.model, "grok-4.3")
          assert.strictEqual(chunk.system_fingerprint, first.system_fingerprint)
          yield* decodeChatCompletionChunk(chunk).pipe(Effect.orDie)
        }
        assert.deepStrictEqual(first.choices, [{ index: 0, delta: { content: "You", role: "assistant" } }])
        const deltas = chunks.slice(0, -1).map((chunk) => chunk.choices[0].delta.content)
        assert.deepStrictEqual(deltas, ["You", " said:", " one", " two", " three"])
        assert.deepStrictEqual(chunks[chunks.length - 1].choices, [{ index: 0, delta: {}, finish_reason: "stop" }])
        assert.isTrue(chunks.every((chunk) => chunk.usage === undefined))
      }))

    it.effect("adds a choices: [] usage chunk with stream_options.include_usage", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* chat(
          mock.url,
          ask("count me", { stream: true, stream_options: { include_usage: true } })
        )
        const { chunks, done } = parseEvents(answer.text)
        assert.isTrue(done)
        const last = chunks[chunks.length - 1]
        assert.deepStrictEqual(last.choices, [])
        assert.strictEqual(last.usage.completion_tokens, 4) // "You said: count me"
        assert.strictEqual(
          last.usage.total_tokens,
          last.usage.prompt_tokens + last.usage.completion_tokens +
            last.usage.completion_tokens_details.reasoning_tokens
        )
        assert.strictEqual(chunks[chunks.length - 2].choices[0].finish_reason, "stop")
      }))

    it.effect("shows reasoning_content for grok-3-mini, before the content, role on the first delta", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(
          MockScript.text("Hello", { reasoningContent: "First, think" }),
          MockScript.text("Hello", { reasoningContent: "First, think" })
        )
        const request = { ...ask("Say one word"), model: "grok-3-mini" }
        const body = parseJson(yield* chat(mock.url, request))
        assert.strictEqual(body.choices[0].message.reasoning_content, "First, think")
        assert.strictEqual(body.usage.completion_tokens_details.reasoning_tokens, 2)
        const { chunks } = parseEvents((yield* chat(mock.url, { ...request, stream: true })).text)
        assert.deepStrictEqual(chunks.map((chunk) => chunk.choices[0]?.delta), [
          { reasoning_content: "First,", role: "assistant" },
          { reasoning_content: " think" },
          { content: "Hello" },
          {}
        ])
      }))

    it.effect("gives n choices with indexes 0..n-1", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const body = parseJson(yield* chat(mock.url, ask("hi", { n: 3 })))
        assert.deepStrictEqual(body.choices.map((choice: any) => choice.index), [0, 1, 2])
        const { chunks } = parseEvents((yield* chat(mock.url, ask("hi", { n: 2, stream: true }))).text)
        const finishes = chunks.filter((chunk) => chunk.choices[0]?.finish_reason === "stop")
        assert.deepStrictEqual(finishes.map((chunk) => chunk.choices[0].index), [0, 1])
      }))

    it.effect("counts cached tokens (all but the last message) and prices them by the documented formula", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const body = parseJson(
          yield* chat(mock.url, {
            model: "grok-4.20-0309-non-reasoning",
            messages: [
              { role: "system", content: "Be brief." },
              { role: "user", content: "hi" }
            ]
          })
        )
        const usage = body.usage
        // system: 4 + 2 words; user: 4 + 1 word
        assert.strictEqual(usage.prompt_tokens, 11)
        assert.strictEqual(usage.prompt_tokens_details.cached_tokens, 6)
        assert.strictEqual(usage.completion_tokens, 3) // "You said: hi"
        assert.strictEqual(usage.completion_tokens_details.reasoning_tokens, 0) // non-reasoning model
        assert.strictEqual(usage.cost_in_usd_ticks, 2000 * 5 + 500 * 6 + 5000 * 3)
      }))

    it.effect("cuts a text longer than max_completion_tokens, with finish_reason length", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const body = parseJson(yield* chat(mock.url, ask("one two three four", { max_completion_tokens: 3 })))
        assert.strictEqual(body.choices[0].message.content, "You said: one")
        assert.strictEqual(body.choices[0].finish_reason, "length")
        const { chunks } = parseEvents(
          (yield* chat(mock.url, ask("one two three four", { max_tokens: 2, stream: true }))).text
        )
        assert.deepStrictEqual(chunks.map((chunk) => chunk.choices[0].delta.content), ["You", " said:", undefined])
        assert.strictEqual(chunks[2].choices[0].finish_reason, "length")
      }))

    it.effect("numbers completions and tool calls from counters that reset", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(MockScript.toolCall("weather", { city: "Paris" }))
        const first = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(first.id, "00000000-0000-4000-8000-000000000001")
        assert.strictEqual(first.choices[0].message.tool_calls[0].id, "call_00000001")
        mock.reset()
        const again = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(again.id, "00000000-0000-4000-8000-000000000001")
      }))
  })

  describe("models and routes", () => {
    it.effect("lists the models", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const answer = yield* send(`${mock.url}/models`)
        assert.strictEqual(answer.status, 200)
        const body = parseJson(answer)
        assert.strictEqual(body.object, "list")
        assert.deepStrictEqual(body.data.map((model: any) => model.id), [
          "grok-4.3",
          "grok-4.5",
          "grok-4.6",
          "grok-4.7",
          "grok-4.20-0309-reasoning",
          "grok-4.20-0309-non-reasoning",
          "grok-3-mini"
        ])
        assert.deepStrictEqual(Object.keys(body.data[0]).sort(), ["created", "id", "object", "owned_by"])
      }))

    it.effect("gets one model, and answers 404 in xAI's shape for an unknown one", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const known = yield* send(`${mock.url}/models/grok-4.20-0309-reasoning`)
        assert.strictEqual(known.status, 200)
        assert.strictEqual(parseJson(known).id, "grok-4.20-0309-reasoning")
        const unknown = yield* send(`${mock.url}/models/grok-9`)
        assert.strictEqual(unknown.status, 404)
        const body = parseJson(unknown)
        assert.strictEqual(body.code, "Some requested entity was not found")
        assert.match(body.error, /grok-9 does not exist/)
      }))

    it.effect("answers unknown routes with xAI's 404 body", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        for (const url of [`${mock.url}/completions`, `${mock.origin}/chat/completions`, `${mock.url}/models/x/y`]) {
          const answer = yield* send(url, { body: ask("hi") })
          assert.strictEqual(answer.status, 404)
          assert.deepStrictEqual(parseJson(answer), {
            code: "Some requested entity was not found",
            error:
              "No handler found on route. Please double check your URL and consult https://api.x.ai/docs for more information."
          })
        }
      }))
  })

  describe("validation", () => {
    it.effect("401 without a bearer token", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        for (const headers of [{}, { authorization: "Bearer " }, { authorization: "Basic abc" }]) {
          const answer = yield* send(`${mock.url}/chat/completions`, {
            body: ask("hi"),
            headers: { "content-type": "application/json", ...headers }
          })
          assert.strictEqual(answer.status, 401)
          assert.strictEqual(typeof parseJson(answer).code, "string")
          assert.strictEqual(typeof parseJson(answer).error, "string")
        }
        const models = yield* send(`${mock.url}/models`, { headers: {} })
        assert.strictEqual(models.status, 401)
      }))

    it.effect("422 naming the field for a body that fails the strict Schema", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const answer = yield* chat(mock.url, ask("hi", { temperature: 3, temprature: 1 }))
        assert.strictEqual(answer.status, 422)
        const body = parseJson(answer)
        assert.strictEqual(body.code, INVALID_ARGUMENT)
        assert.include(body.error, "temperature: expected a value between 0 and 2, got 3")
        assert.include(body.error, "temprature: is not a known field here")
      }))

    it.effect("422 for a body that is not JSON", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const answer = yield* chat(mock.url, "{not json")
        assert.strictEqual(answer.status, 422)
        assert.strictEqual(parseJson(answer).code, INVALID_ARGUMENT)
        assert.match(parseJson(answer).error, /^Failed to parse the request body as JSON/)
      }))

    it.effect("410 with xAI's exact body for any search_parameters, before schema validation", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        for (const body of [ask("hi", { search_parameters: { mode: "off" } }), { search_parameters: null }]) {
          const answer = yield* chat(mock.url, body)
          assert.strictEqual(answer.status, 410)
          assert.strictEqual(answer.text, LIVE_SEARCH_BODY)
        }
      }))

    const refused: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
      ["presence_penalty on grok-4.3", ask("hi", { presence_penalty: 0.5 }), "presence_penalty"],
      ["frequency_penalty on grok-4.3", ask("hi", { frequency_penalty: 0.5 }), "frequency_penalty"],
      ["stop on grok-3-mini", { ...ask("hi", { stop: ["x"] }), model: "grok-3-mini" }, "stop"],
      [
        "reasoning_effort on grok-4.20",
        { ...ask("hi", { reasoning_effort: "none" }), model: "grok-4.20-0309-reasoning" },
        "reasoning_effort"
      ],
      ["empty content", ask(""), "messages[0].content"],
      [
        "name on an assistant message",
        {
          model: "grok-4.3",
          messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "yo", name: "bot" }, {
            role: "user",
            content: "hey"
          }]
        },
        "messages[1].name"
      ],
      [
        "more than 128 tools",
        ask("hi", { tools: Array.from({ length: 129 }, (_, index) => tool(`tool_${index}`, "does things")) }),
        "tools"
      ]
    ]
    for (const [name, body, field] of refused) {
      it.effect(`400 for ${name}`, () =>
        Effect.gen(function*() {
          const mock = yield* MockGrok
          const answer = yield* chat(mock.url, body)
          assert.strictEqual(answer.status, 400)
          const error = parseJson(answer)
          assert.strictEqual(error.code, INVALID_ARGUMENT)
          assert.include(error.error, field)
        }))
    }

    it.effect("accepts penalties and stop on a non-reasoning model", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const answer = yield* chat(mock.url, {
          ...ask("hi", { presence_penalty: 1, frequency_penalty: 1, stop: ["\n"] }),
          model: "grok-4.20-0309-non-reasoning"
        })
        assert.strictEqual(answer.status, 200)
      }))

    it.effect("404 for an unknown model", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const answer = yield* chat(mock.url, { ...ask("hi"), model: "grok-2" })
        assert.strictEqual(answer.status, 404)
        assert.deepStrictEqual(Object.keys(parseJson(answer)), ["code", "error"])
        assert.match(parseJson(answer).error, /The model grok-2 does not exist/)
      }))

    it.effect("400 for a tool_choice that names no offered tool", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        const answer = yield* chat(
          mock.url,
          ask("hi", {
            tools: [tool("weather", "Weather")],
            tool_choice: { type: "function", function: { name: "clock" } }
          })
        )
        assert.strictEqual(answer.status, 400)
        assert.include(parseJson(answer).error, "clock")
      }))
  })

  describe("scripts", () => {
    it.effect("answers scripted entries in order, then falls back to the policy", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(
          MockScript.text("first"),
          MockScript.toolCalls([
            { name: "weather", arguments: { city: "Paris" } },
            { name: "clock", arguments: "{not json", id: "call_12345678" }
          ])
        )
        mock.enqueue(MockScript.httpError(503, { code: "The service is currently unavailable", error: "later" }, {
          headers: { "retry-after": "7" }
        }))
        const first = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(first.choices[0].message.content, "first")
        const second = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(second.choices[0].finish_reason, "tool_calls")
        assert.strictEqual(second.choices[0].message.content, "")
        assert.deepStrictEqual(second.choices[0].message.tool_calls, [
          { id: "call_00000001", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" }, type: "function" },
          { id: "call_12345678", function: { name: "clock", arguments: "{not json" }, type: "function" }
        ])
        const third = yield* chat(mock.url, ask("hi"))
        assert.strictEqual(third.status, 503)
        assert.strictEqual(third.headers.get("retry-after"), "7")
        assert.deepStrictEqual(parseJson(third), { code: "The service is currently unavailable", error: "later" })
        const fourth = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(fourth.choices[0].message.content, "You said: hi")
      }))

    it.effect("streams scripted tool calls whole, in one chunk", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(MockScript.toolCalls([{ name: "a", arguments: {} }, { name: "b", arguments: { x: 1 } }]))
        const { chunks, done } = parseEvents((yield* chat(mock.url, ask("hi", { stream: true }))).text)
        assert.isTrue(done)
        assert.strictEqual(chunks.length, 2)
        assert.deepStrictEqual(chunks[0].choices[0].delta, {
          tool_calls: [
            { id: "call_00000001", function: { name: "a", arguments: "{}" }, index: 0, type: "function" },
            { id: "call_00000002", function: { name: "b", arguments: "{\"x\":1}" }, index: 1, type: "function" }
          ],
          role: "assistant"
        })
        assert.deepStrictEqual(chunks[1].choices, [{ index: 0, delta: {}, finish_reason: "tool_calls" }])
      }))

    it.effect("keeps a scripted entry for a request that fails validation", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(MockScript.text("kept"))
        assert.strictEqual((yield* chat(mock.url, ask("hi", { temperature: 9 }))).status, 422)
        assert.strictEqual(parseJson(yield* chat(mock.url, ask("hi"))).choices[0].message.content, "kept")
      }))

    it.effect("takes from a named queue with x-mock-script", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(MockScript.text("default"))
        mock.enqueueFor("agent-2", MockScript.text("for agent 2"))
        const named = parseJson(yield* chat(mock.url, ask("hi"), { "x-mock-script": "agent-2" }))
        assert.strictEqual(named.choices[0].message.content, "for agent 2")
        const unnamed = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(unnamed.choices[0].message.content, "default")
        const exhausted = parseJson(yield* chat(mock.url, ask("hi"), { "x-mock-script": "agent-2" }))
        assert.strictEqual(exhausted.choices[0].message.content, "You said: hi")
      }))
  })

  describe("recording", () => {
    it.effect("records every request with its parsed body and headers, without authorization", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        yield* chat(mock.url, ask("recorded", { temperature: 0.5 }), { "x-grok-conv-id": "conversation-1" })
        yield* send(`${mock.url}/models`)
        yield* chat(mock.url, "{broken")
        assert.strictEqual(mock.requestCount, 3)
        const [first, second, third] = mock.requests
        assert.strictEqual(first!.method, "POST")
        assert.strictEqual(first!.path, "/v1/chat/completions")
        assert.deepStrictEqual(first!.body, ask("recorded", { temperature: 0.5 }))
        assert.strictEqual(first!.headers["x-grok-conv-id"], "conversation-1")
        assert.strictEqual(first!.headers["authorization"], undefined)
        assert.notInclude(JSON.stringify(mock.requests), API_KEY)
        assert.strictEqual(second!.path, "/v1/models")
        assert.strictEqual(third!.body, undefined)
        assert.strictEqual(third!.text, "{broken")
        mock.reset()
        assert.strictEqual(mock.requests.length, 0)
        assert.strictEqual(mock.requestCount, 0)
      }))
  })
})

describe("MockServer options", () => {
  it.effect("requires the apiKey option's key: 400 'Incorrect API key provided' otherwise", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ apiKey: API_KEY })
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 200)
      const wrong = yield* send(`${mock.url}/chat/completions`, {
        body: ask("hi"),
        headers: { authorization: "Bearer xai-wrong-key-123", "content-type": "application/json" }
      })
      assert.strictEqual(wrong.status, 400)
      assert.strictEqual(parseJson(wrong).code, INVALID_ARGUMENT)
      assert.match(parseJson(wrong).error, /^Incorrect API key provided: xa\*\*\*23\./)
      assert.notInclude(wrong.text, "wrong-key")
    }))

  it.effect("serves the models of the models option, with the initial script and a custom policy", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({
        models: ["grok-test"],
        script: [MockScript.text("scripted")],
        policy: (request) => request.messages.length > 1 ? MockScript.text("custom") : undefined
      })
      assert.deepStrictEqual(parseJson(yield* send(`${mock.url}/models`)).data.map((model: any) => model.id), [
        "grok-test"
      ])
      const request = { ...ask("hi"), model: "grok-test" }
      assert.strictEqual(parseJson(yield* chat(mock.url, request)).choices[0].message.content, "scripted")
      assert.strictEqual(parseJson(yield* chat(mock.url, request)).choices[0].message.content, "You said: hi")
      const twoMessages = {
        ...request,
        messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }]
      }
      assert.strictEqual(parseJson(yield* chat(mock.url, twoMessages)).choices[0].message.content, "custom")
      mock.reset() // restores the initial script
      assert.strictEqual(parseJson(yield* chat(mock.url, request)).choices[0].message.content, "scripted")
    }))

  it.effect("counts requests without recording them when record is false", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ record: false })
      yield* chat(mock.url, ask("hi"))
      yield* chat(mock.url, ask("hi"))
      assert.strictEqual(mock.requestCount, 2)
      assert.strictEqual(mock.requests.length, 0)
    }))

  it.effect("listens on 127.0.0.1 with a URL ending in /v1", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      assert.strictEqual(mock.url, `${mock.origin}/v1`)
      assert.isAbove(mock.port, 0)
      assert.strictEqual(
        MockServer.banner(mock.url),
        `grokit mock: a MOCK Grok-compatible server (not xAI) listening on ${mock.url}`
      )
    }))
})

describe("closing", () => {
  it("closes at once with stalled sockets open (Promise API)", async () => {
    const server = await startMockServer()
    const stalled = [
      fetch(`${server.url}/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer k", [MockFault.headerName]: "stall-before-headers" },
        body: JSON.stringify(ask("hi"))
      }),
      fetch(`${server.url}/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer k", [MockFault.headerName]: "stall-mid-stream;after=1" },
        body: JSON.stringify(ask("hi", { stream: true }))
      }).then((response) => response.text())
    ].map((promise) => promise.then(() => "answered", () => "failed"))
    while (server.requestCount < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const started = Date.now()
    await server.close()
    assert.isBelow(Date.now() - started, 1000)
    assert.deepStrictEqual(await Promise.all(stalled), ["failed", "failed"])
    await server.close() // closing twice is fine
  })

  it.live("closes with the scope while a request stalls", () =>
    Effect.gen(function*() {
      let url = ""
      const started = Date.now()
      const outcome = yield* Effect.scoped(Effect.gen(function*() {
        const mock = yield* MockServer.start()
        url = mock.url
        const pending = fetch(`${mock.url}/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer k", [MockFault.headerName]: "stall-before-headers" },
          body: JSON.stringify(ask("hi"))
        }).then(() => "answered", () => "failed")
        yield* Effect.promise(async () => {
          while (mock.requestCount < 1) await new Promise((resolve) => setTimeout(resolve, 5))
        })
        return pending
      }))
      assert.strictEqual(yield* Effect.promise(() => outcome), "failed")
      assert.isBelow(Date.now() - started, 2000)
      const after = yield* Effect.promise(() => fetch(`${url}/models`).then(() => "answered", () => "refused"))
      assert.strictEqual(after, "refused")
    }))
})
