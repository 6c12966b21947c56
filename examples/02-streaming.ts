/**
 * 02 · streaming: the answer arrives token by token. `Agent.stream` emits text deltas as they
 * arrive, then the step's usage, then the result.
 */
import { Example } from "@grokit/cli"
import { MockScript } from "@grokit/mock"
import { Agent } from "@grokit/runtime"
import { Layer } from "effect"

export const example = Example.make({
  name: "streaming",
  description: "an answer streamed token by token",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "You are a storyteller. Keep it under 80 words."
  }),
  input: "Tell a very short story about a robot who learns to stream.",
  handlers: Layer.empty,
  mock: {
    tokenDelayMs: 25,
    script: [
      MockScript.text(
        "Unit 7 was built to answer in one breath. One day a child asked it a long question, and Unit 7 " +
          "tried something new: it spoke one word at a time, as the words came. The child leaned closer. " +
          "Unit 7 learned that a story shared as it grows is a story heard."
      )
    ]
  }
})

if (import.meta.main) Example.main(example)
