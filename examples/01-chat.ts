/**
 * 01 · chat: the smallest agent. No tools: one request, one answer.
 *
 * Run: `npx -y pnpm@12.4.2 grokit run chat` (offline against the mock, or Grok with XAI_API_KEY).
 */
import { Example } from "@grokit/cli"
import { Agent } from "@grokit/runtime"
import { Layer } from "effect"

export const example = Example.make({
  name: "chat",
  description: "a plain chat: one question, one answer",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "You are a concise assistant. Answer in one or two sentences."
  }),
  input: "In one sentence: what is an agent loop?",
  handlers: Layer.empty
})

if (import.meta.main) Example.main(example)
