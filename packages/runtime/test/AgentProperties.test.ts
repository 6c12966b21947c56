import { describe, expect, it } from "@effect/vitest"
import { HttpStatusError } from "@grokit/core"
import { Agent, AgentError } from "@grokit/runtime"
import { Effect, Exit, Fiber, Layer, Schema } from "effect"
import { Tool, Toolkit } from "effect/ai"
import * as ScriptedGrok from "./support/ScriptedGrok.ts"

const Echo = Tool.make("echo", {
  description: "Echoes a word",
  parameters: Schema.Struct({ word: Schema.String }),
  success: Schema.String
})
const Fail = Tool.make("fail", { description: "Always fails", success: Schema.String, failure: Schema.String })
const Crash = Tool.make("crash", { description: "Dies", success: Schema.String })
const Tools = Toolkit.make(Echo, Fail, Crash)
const ToolsLayer = Tools.toLayer({
  echo: ({ word }) => Effect.succeed(word),
  fail: () => Effect.fail("nope"),
  crash: () => Effect.die("boom")
})

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const callKinds = [
  () => ({ name: "echo", arguments: "{\"word\":\"hi\"}" }),
  () => ({ name: "echo", arguments: "{\"word\":" }),
  () => ({ name: "echo", arguments: "{\"word\":7}" }),
  () => ({ name: "nowhere", arguments: "{}" }),
  () => ({ name: "fail", arguments: "" }),
  () => ({ name: "crash", arguments: "{}" }),
  () => ({ name: "echo", arguments: "{\"word\":\"dup\"}", id: "dup" }),
  () => ({ name: "echo", arguments: "{\"word\":\"empty\"}", id: "" })
] as const

const RUNS = Number(process.env.AGENT_PROPERTY_RUNS ?? 1000)
const SEED = Number(process.env.AGENT_PROPERTY_SEED ?? Date.now() % 1_000_000)

describe("Agent properties", () => {
  it.effect(
    `every outgoing request is valid over ${RUNS} random fault interleavings (seed ${SEED})`,
    () =>
      Effect.gen(function*() {
        const next = random(SEED)
        const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!
        const outcomes = { completed: 0, failed: 0, interrupted: 0 }
        for (let run = 0; run < RUNS; run++) {
          const steps = 1 + Math.floor(next() * 6)
          const script: Array<ScriptedGrok.ScriptEntry> = []
          for (let step = 0; step < steps; step++) {
            const roll = next()
            if (roll < 0.1) {
              script.push({
                error: new HttpStatusError({ kind: "ServerError", status: 500, serverMessage: "x", retryable: true })
              })
            } else if (roll < 0.2) script.push({ hang: true })
            else {
              script.push({ toolCalls: Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(callKinds)()) })
            }
          }
          script.push({ text: "done" })
          const agent = Agent.make({ model: "grok-4.3", toolkit: Tools, maxSteps: 1 + Math.floor(next() * 6) })
          const grok = ScriptedGrok.make(script)
          const fiber = yield* Agent.run(agent, "go").pipe(
            Effect.provide(Layer.mergeAll(grok.layer, ToolsLayer)),
            Effect.forkChild
          )
          // A hung model call is the interruption point: interrupt the run there.
          yield* Effect.yieldNow
          for (let spin = 0; spin < 50 && fiber.pollUnsafe() === undefined; spin++) yield* Effect.yieldNow
          if (fiber.pollUnsafe() === undefined) yield* Fiber.interrupt(fiber)
          const exit = yield* Fiber.await(fiber)
          if (Exit.isSuccess(exit)) {
            // Usage is never lost: every answered model call is counted (15 tokens each in the script).
            expect(exit.value.usage.totalTokens).toBe(15 * grok.counts.successes)
            outcomes.completed++
          } else if (Exit.hasInterrupts(exit)) outcomes.interrupted++
          else {
            const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
            expect(error?._tag === "Fail" && error.error instanceof AgentError, `seed ${SEED}, run ${run}`).toBe(true)
            if (error?._tag === "Fail" && error.error instanceof AgentError) {
              expect(error.error.state.usage.totalTokens, `seed ${SEED}, run ${run}`).toBe(15 * grok.counts.successes)
            }
            outcomes.failed++
          }
          expect(grok.problems, `seed ${SEED}, run ${run}: ${grok.problems.join("; ")}`).toEqual([])
          for (const request of grok.requests) {
            const ids = request.messages.flatMap((message) =>
              message.role === "assistant" ? (message.tool_calls ?? []).map((call) => call.id) : []
            )
            expect(new Set(ids).size).toBe(ids.length)
          }
        }
        expect(outcomes.completed + outcomes.failed + outcomes.interrupted).toBe(RUNS)
        expect(outcomes.completed).toBeGreaterThan(0)
        expect(outcomes.failed).toBeGreaterThan(0)
        expect(outcomes.interrupted).toBeGreaterThan(0)
      }),
    120_000
  )
})
