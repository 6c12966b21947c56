/**
 * 06 · approval and resume: a tool marked `needsApproval` pauses the run. The paused state is a
 * Schema value: here it is saved as JSON, restored, and the run resumes once each pending call is
 * approved or rejected (transfers up to $100 are approved; larger ones are rejected).
 */
import { Example } from "@grokit/cli"
import { MockScript } from "@grokit/mock"
import { Agent } from "@grokit/runtime"
import { Effect, Schema } from "effect"
import { Tool, Toolkit } from "effect/ai"

const Transfer = Tool.make("transfer_money", {
  description: "Transfer money from the user's account to a recipient",
  parameters: Schema.Struct({
    recipient: Schema.String,
    amountUsd: Schema.Finite.annotate({ description: "Amount in US dollars" })
  }),
  success: Schema.Struct({ confirmation: Schema.String }),
  needsApproval: true
})

const Tools = Toolkit.make(Transfer)

let confirmations = 0
const ToolsLayer = Tools.toLayer({
  transfer_money: ({ amountUsd, recipient }) =>
    Effect.sync(() => ({ confirmation: `TX-${++confirmations}: $${amountUsd} sent to ${recipient}` }))
})

export const example = Example.make({
  name: "approval",
  description: "tools that need approval pause the run; it resumes from a saved JSON state",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "You move money only with transfer_money, one call per transfer. Report what happened.",
    toolkit: Tools
  }),
  input: "Send $40 to Alice for lunch and $2500 to Bob for the car.",
  handlers: ToolsLayer,
  decide: (pending) =>
    Object.fromEntries(pending.map((call) => {
      const amount = Number((JSON.parse(call.arguments) as { amountUsd?: unknown }).amountUsd)
      return [call.toolCallId, amount <= 100 ? Agent.approve : Agent.reject(`$${amount} is above the $100 limit`)]
    })),
  mock: {
    script: [
      MockScript.toolCalls([
        { name: "transfer_money", arguments: { recipient: "Alice", amountUsd: 40 } },
        { name: "transfer_money", arguments: { recipient: "Bob", amountUsd: 2500 } }
      ])
    ]
  }
})

if (import.meta.main) Example.main(example)
