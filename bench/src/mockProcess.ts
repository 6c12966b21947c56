/**
 * The mock server of one benchmark, in its own process so that its CPU is not counted with the
 * client's. Usage: `mockProcess.ts <scenario>`. Prints one JSON line `{"url": ...}` once it
 * listens, and closes when its stdin closes or on SIGTERM.
 *
 * The answers come from a policy, the same for every request of a scenario (no script queue,
 * so concurrent runs cannot take each other's entries):
 * - single-call: a short text answer;
 * - stream-tokens: a text of 2,000 words, streamed as 2,000 content chunks;
 * - tool-loop, concurrent-agents: two tool calls (`get_weather`, `get_time`) while the request
 *   has fewer than 4 x 2 tool messages, then a text answer.
 */
import type { ChatCompletionRequest } from "@grokit/core"
import { MockScript, startMockServer } from "@grokit/mock"
import { AGENT_ANSWER, findScenario, SINGLE_ANSWER, STREAM_ANSWER, TOOL_ROUNDS, wireTools } from "./scenarios.ts"

const scenario = findScenario(process.argv[2] ?? "")

const toolRound = MockScript.toolCalls(
  wireTools.map((tool) => ({
    name: tool.function.name,
    arguments: tool.function.name === "get_weather" ? { city: "Paris" } : { zone: "Europe/Paris" }
  }))
)
const agentAnswer = MockScript.text(AGENT_ANSWER)
const singleAnswer = MockScript.text(SINGLE_ANSWER)
const streamAnswer = MockScript.text(STREAM_ANSWER)

const policy = (request: ChatCompletionRequest): MockScript.ScriptEntry => {
  switch (scenario.name) {
    case "single-call":
      return singleAnswer
    case "stream-tokens":
      return streamAnswer
    case "tool-loop":
    case "concurrent-agents": {
      let toolMessages = 0
      for (const message of request.messages) if (message.role === "tool") toolMessages++
      return toolMessages < TOOL_ROUNDS * wireTools.length ? toolRound : agentAnswer
    }
  }
}

const server = await startMockServer({ record: false, latencyMs: scenario.latencyMs, policy })
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)

let closing = false
const close = () => {
  if (closing) return
  closing = true
  void server.close().then(() => process.exit(0))
}
process.stdin.on("end", close)
process.stdin.on("close", close)
process.stdin.resume()
process.on("SIGTERM", close)
process.on("SIGINT", close)
