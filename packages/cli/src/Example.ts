/**
 * An example agent, as `grokit run` and `pnpm demo` run it: the agent, its first message, the
 * layer of its tool handlers, how to decide approvals, and what the offline mock should answer
 * where its default policy is not enough. `Example.run` runs one, showing each step, tool call and
 * result as it happens, and the usage and cost at the end.
 *
 * @since 0.1.0
 */
import { NodeRuntime } from "@effect/platform-node"
import type { GrokClient, GrokResponses } from "@grokit/core"
import { GrokEnvironment, type MockServerOptions } from "@grokit/mock"
import {
  Agent as AgentModule,
  type AgentEventType,
  type AgentResult,
  AgentState,
  type PendingApproval
} from "@grokit/runtime"
import { Console, Effect, Layer, Stream } from "effect"
import type { Tool } from "effect/ai"
import * as Render from "./Render.ts"

/**
 * The definition of an example.
 *
 * @since 0.1.0
 * @category models
 */
export interface Example<Tools extends Record<string, Tool.Any>, Output> {
  /** The name `grokit run <name>` takes, e.g. `custom-tools`. */
  readonly name: string
  /** One line saying what it shows. */
  readonly description: string
  readonly agent: AgentModule.Agent<Tools, Output>
  /** The user's first message. */
  readonly input: string
  /** The layer of the tool handlers. */
  readonly handlers: Layer.Layer<Tool.HandlersFor<Tools>>
  /** Decides the tool calls that wait for approval (default: approve none, reject all). */
  readonly decide?: ((pending: ReadonlyArray<PendingApproval>) => AgentModule.ApprovalDecisions) | undefined
  /** Options of the offline mock (a script where its policy is not enough, streaming delays). */
  readonly mock?: MockServerOptions | undefined
  /**
   * How the agent runs, as a stream of events (default `Agent.stream(agent, input)`), e.g.
   * `SearchAgent.stream` of `@grokit/search` for an agent with search. The environment provides
   * `GrokClient` and `GrokResponses`; approvals are resumed with `Agent.resumeStream`.
   */
  readonly stream?:
    | ((
      input: string
    ) => Stream.Stream<AgentEventType<Output>, unknown, Tool.HandlersFor<Tools> | GrokClient | GrokResponses>)
    | undefined
}

/**
 * Any example.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyExample = Example<any, any>

/**
 * Defines an example (the identity, for inference).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <Tools extends Record<string, Tool.Any>, Output>(
  example: Example<Tools, Output>
): Example<Tools, Output> => example

/**
 * Runs an example against the Grok of the environment (xAI with `XAI_API_KEY`, else a mock started
 * in-process), printing the environment on the first line, then each event, then the summary.
 * A pause for approval is decided by the example, saved as JSON, restored and resumed.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (example: AnyExample): Effect.Effect<AgentResult<unknown>, unknown> =>
  Effect.gen(function*() {
    const environment = yield* GrokEnvironment.GrokEnvironment
    yield* Console.log(environment.notice)
    yield* Console.log(Render.heading(example.name, example.description, example.agent.options.model))
    yield* Console.log(Render.userLine(example.input))
    const renderer = Render.make()
    let events = example.stream?.(example.input) ?? AgentModule.stream(example.agent, example.input)
    for (let round = 0; round < 10; round++) {
      let finished: AgentResult<unknown> | undefined
      yield* events.pipe(
        Stream.runForEach((event) =>
          Effect.suspend(() => {
            if (event._tag === "Finish") finished = event.result
            return renderer.render(event)
          })
        )
      )
      yield* renderer.close
      if (finished === undefined) return yield* Effect.die(new Error("the run ended without a result"))
      if (finished.status === "completed") {
        yield* Console.log(Render.summary(finished))
        return finished
      }
      const decisions = example.decide?.(finished.pendingApprovals) ??
        Object.fromEntries(
          finished.pendingApprovals.map((pending) => [pending.toolCallId, AgentModule.reject("not approved")])
        )
      yield* Console.log(Render.approvals(finished.pendingApprovals, decisions))
      const saved = AgentState.toJson(finished.state)
      yield* Console.log(Render.dim(`  run paused: state saved as ${saved.length} bytes of JSON, restored, resumed`))
      const restored = yield* AgentState.fromJson(saved).pipe(Effect.orDie)
      events = AgentModule.resumeStream(example.agent, restored, decisions)
    }
    return yield* Effect.die(new Error("too many approval rounds"))
  }).pipe(
    Effect.provide(Layer.mergeAll(GrokEnvironment.layer({ mock: example.mock }), example.handlers))
  ) as Effect.Effect<AgentResult<unknown>, unknown>

/**
 * Runs an example as a program (`if (import.meta.main) Example.main(example)`), with clear errors.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (example: AnyExample): void =>
  run(example).pipe(Render.reportFailure, NodeRuntime.runMain({ disableErrorReporting: true }))
