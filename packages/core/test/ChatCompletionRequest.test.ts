import { assert, describe, expect, it } from "@effect/vitest"
import { ChatCompletionRequest, decodeChatCompletionRequest, strictParseOptions, ValidationIssue } from "@grokit/core"
import { Effect, Schema } from "effect"

const valid = {
  model: "grok-4.3",
  messages: [{ role: "user", content: "Hello" }]
}

const withField = (field: string, value: unknown) => ({ ...valid, [field]: value })
const withMessage = (message: unknown) => ({ ...valid, messages: [message] })
const withSearch = (search: unknown) => ({ ...valid, search_parameters: search })
const withTool = (tool: unknown) => ({ ...valid, tools: [tool] })
const functionTool = (fn: unknown) => ({ type: "function", function: fn })

/** Each row: a name, an invalid request, and the path its first issue must name. */
const invalidRequests: ReadonlyArray<readonly [string, unknown, string]> = [
  ["temperature above 2", withField("temperature", 3), "temperature"],
  ["temperature below 0", withField("temperature", -0.1), "temperature"],
  ["temperature not a number", withField("temperature", "hot"), "temperature"],
  ["top_p above 1", withField("top_p", 1.5), "top_p"],
  ["top_p below 0", withField("top_p", -1), "top_p"],
  ["frequency_penalty above 2", withField("frequency_penalty", 2.5), "frequency_penalty"],
  ["frequency_penalty below -2", withField("frequency_penalty", -3), "frequency_penalty"],
  ["presence_penalty above 2", withField("presence_penalty", 9), "presence_penalty"],
  ["presence_penalty below -2", withField("presence_penalty", -2.01), "presence_penalty"],
  ["n zero", withField("n", 0), "n"],
  ["n fractional", withField("n", 1.5), "n"],
  ["n negative", withField("n", -1), "n"],
  ["max_tokens zero", withField("max_tokens", 0), "max_tokens"],
  ["max_tokens fractional", withField("max_tokens", 10.5), "max_tokens"],
  ["max_completion_tokens zero", withField("max_completion_tokens", 0), "max_completion_tokens"],
  ["seed fractional", withField("seed", 1.5), "seed"],
  ["logit_bias value above 100", withField("logit_bias", { "1": 101 }), "logit_bias[\"1\"]"],
  ["logit_bias value below -100", withField("logit_bias", { "1": -101 }), "logit_bias[\"1\"]"],
  ["logit_bias key not a token id", withField("logit_bias", { abc: 1 }), "logit_bias"],
  ["stop a number", withField("stop", 5), "stop"],
  ["stop with five sequences", withField("stop", ["a", "b", "c", "d", "e"]), "stop"],
  ["stream not a boolean", withField("stream", "yes"), "stream"],
  ["stream_options without include_usage", withField("stream_options", {}), "stream_options.include_usage"],
  ["top_logprobs above 8", withField("top_logprobs", 9), "top_logprobs"],
  ["reasoning_effort unknown", withField("reasoning_effort", "extreme"), "reasoning_effort"],
  ["response_format unknown type", withField("response_format", { type: "xml" }), "response_format"],
  [
    "response_format json_schema without json_schema",
    withField("response_format", { type: "json_schema" }),
    "response_format"
  ],
  ["tool_choice unknown string", withField("tool_choice", "always"), "tool_choice"],
  ["tool_choice function without name", withField("tool_choice", { type: "function", function: {} }), "tool_choice"],
  ["unknown top-level key", withField("temprature", 1), "temprature"],
  ["missing model", { messages: valid.messages }, "model"],
  ["empty model", withField("model", ""), "model"],
  ["missing messages", { model: "grok-4.3" }, "messages"],
  ["empty messages", withField("messages", []), "messages"],
  ["wrong role", withMessage({ role: "robot", content: "hi" }), "messages[0]"],
  ["function role (deprecated)", withMessage({ role: "function", content: "hi" }), "messages[0]"],
  ["user message without content", withMessage({ role: "user" }), "messages[0]"],
  ["tool message without tool_call_id", withMessage({ role: "tool", content: "42" }), "messages[0]"],
  ["unknown key on a message", withMessage({ role: "user", content: "hi", mood: "happy" }), "messages[0]"],
  [
    "seed-style image part",
    withMessage({ role: "user", content: [{ type: "image", image_url: { url: "x" } }] }),
    "messages[0]"
  ],
  [
    "image detail unknown",
    withMessage({ role: "user", content: [{ type: "image_url", image_url: { url: "x", detail: "max" } }] }),
    "messages[0]"
  ],
  [
    "assistant tool call with object arguments",
    withMessage({
      role: "assistant",
      tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: {} } }]
    }),
    "messages[0]"
  ],
  ["tool type not function", withTool({ type: "live_search", function: { name: "f" } }), "tools[0].type"],
  ["tool without function", withTool({ type: "function" }), "tools[0].function"],
  ["tool with empty name", withTool(functionTool({ name: "" })), "tools[0].function.name"],
  [
    "tool parameters not an object schema",
    withTool(functionTool({ name: "f", parameters: { type: "array" } })),
    "tools[0].function.parameters.type"
  ],
  ["search mode unknown", withSearch({ mode: "always" }), "search_parameters.mode"],
  ["search max_search_results zero", withSearch({ max_search_results: 0 }), "search_parameters.max_search_results"],
  [
    "a sixth excluded website",
    withSearch({ sources: [{ type: "web", excluded_websites: ["a", "b", "c", "d", "e", "f"] }] }),
    "search_parameters.sources[0]"
  ],
  [
    "a three-letter country",
    withSearch({ sources: [{ type: "web", country: "USA" }] }),
    "search_parameters.sources[0]"
  ],
  [
    "a one-letter news country",
    withSearch({ sources: [{ type: "news", country: "U" }] }),
    "search_parameters.sources[0]"
  ],
  ["an rss source without links", withSearch({ sources: [{ type: "rss" }] }), "search_parameters.sources[0]"],
  ["an unknown source type", withSearch({ sources: [{ type: "tv" }] }), "search_parameters.sources[0]"],
  [
    "an unknown key on a web source",
    withSearch({ sources: [{ type: "web", allowed: ["a"] }] }),
    "search_parameters.sources[0]"
  ],
  [
    "x_handles not an array",
    withSearch({ sources: [{ type: "x", x_handles: "elon" }] }),
    "search_parameters.sources[0]"
  ],
  ["return_citations not a boolean", withSearch({ return_citations: "yes" }), "search_parameters.return_citations"]
]

const issuesOf = (input: unknown) =>
  decodeChatCompletionRequest(input).pipe(
    Effect.flip,
    Effect.map((error) => ValidationIssue.fromSchemaError(error))
  )

describe("ChatCompletionRequest", () => {
  it.effect("decodes a request with every field", () =>
    Effect.gen(function*() {
      const request = yield* decodeChatCompletionRequest({
        model: "grok-4.3",
        messages: [
          { role: "system", content: "You are terse." },
          {
            role: "user",
            name: "ada",
            content: [{ type: "text", text: "Weather?" }, {
              type: "image_url",
              image_url: { url: "data:image/png;base64,AAAA", detail: "high" }
            }]
          },
          {
            role: "assistant",
            content: null,
            reasoning_content: "Need the weather tool.",
            tool_calls: [{
              id: "call_1",
              type: "function",
              function: { name: "weather", arguments: "{\"city\":\"Paris\"}" }
            }]
          },
          { role: "tool", tool_call_id: "call_1", content: "{\"celsius\":21}" }
        ],
        frequency_penalty: 0,
        presence_penalty: -2,
        logit_bias: { "50256": -100 },
        logprobs: true,
        top_logprobs: 8,
        max_tokens: 10,
        max_completion_tokens: 1000,
        n: 1,
        parallel_tool_calls: false,
        reasoning_effort: "low",
        response_format: {
          type: "json_schema",
          json_schema: { name: "answer", schema: { type: "object" }, strict: true }
        },
        search_parameters: {
          mode: "on",
          sources: [
            { type: "web", country: "DE", excluded_websites: ["a.com"], safe_search: true },
            { type: "x", x_handles: ["xai"] },
            { type: "news", country: "FR" },
            { type: "rss", links: ["https://example.com/feed.xml"] }
          ],
          from_date: "2026-01-01",
          to_date: "2026-02-01",
          max_search_results: 5,
          return_citations: true
        },
        seed: 42,
        stop: ["\n\n"],
        stream: true,
        stream_options: { include_usage: true },
        temperature: 2,
        top_p: 0,
        tool_choice: "required",
        tools: [{
          type: "function",
          function: {
            name: "weather",
            description: "Current weather",
            parameters: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false
            },
            strict: true
          }
        }],
        user: "user-1"
      })
      expect(request.messages).toHaveLength(4)
      expect(request.tools?.[0]?.function.parameters).toMatchObject({ additionalProperties: false })
    }))

  it("has at least 40 invalid cases in its table", () => {
    expect(invalidRequests.length).toBeGreaterThanOrEqual(40)
  })

  for (const [name, input, path] of invalidRequests) {
    it.effect(`refuses ${name}, naming ${path}`, () =>
      Effect.gen(function*() {
        const issues = yield* issuesOf(input)
        expect(issues.length).toBeGreaterThan(0)
        const paths = issues.map((issue) => ValidationIssue.formatPath(issue.path))
        expect(paths.some((candidate) => candidate === path || candidate.startsWith(path))).toBe(true)
        for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0)
      }))
  }

  it.effect("reports every broken rule, one line each, with the value it got", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf({ ...valid, temperature: 3, n: 0, unknown_key: true })
      expect(ValidationIssue.formatIssues(issues).split("\n").sort()).toEqual([
        "n: expected a value greater than 0, got 0",
        "temperature: expected a value between 0 and 2, got 3",
        "unknown_key: is not a known field here (unknown keys are refused)"
      ])
    }))

  it.prop(
    "round-trips 1,000 Schema-generated requests (decode . encode = id)",
    [ChatCompletionRequest],
    ([request]) => {
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(ChatCompletionRequest)(request)))
      const decoded = Schema.decodeUnknownSync(ChatCompletionRequest, strictParseOptions)(json)
      assert.deepStrictEqual(decoded, JSON.parse(JSON.stringify(request)))
    },
    { arbitrary: { runs: 1000 } }
  )
})
