/**
 * `AgentError`: the one error of an agent run, for failures the model cannot fix. It always
 * carries the run's state (transcript, steps, usage so far), so nothing is lost: the usage is
 * counted and the transcript can be inspected or resumed.
 *
 * @since 0.1.0
 */
import type { GrokError } from "@grokit/core"
import { Data } from "effect"
import type { AgentState } from "./AgentState.ts"

/**
 * A model call failed (after the client's retries).
 *
 * @since 0.1.0
 * @category reasons
 */
export class ModelCallFailed extends Data.TaggedClass("ModelCallFailed")<{ readonly error: GrokError }> {
  get message(): string {
    return this.error.message
  }
}

/**
 * The step cap was reached with tool calls still pending, and the agent says to fail there.
 *
 * @since 0.1.0
 * @category reasons
 */
export class MaxStepsReached extends Data.TaggedClass("MaxStepsReached")<{ readonly maxSteps: number }> {
  get message(): string {
    return `the run reached its cap of ${this.maxSteps} model calls while the model still called tools`
  }
}

/**
 * The agent's definition cannot run (e.g. `n` > 1, too many tools, a tool whose parameters are
 * not an object).
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidAgent extends Data.TaggedClass("InvalidAgent")<{ readonly description: string }> {
  get message(): string {
    return `invalid agent: ${this.description}`
  }
}

/**
 * The final answer does not match the agent's output Schema.
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidOutput extends Data.TaggedClass("InvalidOutput")<{
  readonly text: string
  readonly description: string
}> {
  get message(): string {
    return `the final answer does not match the output Schema: ${this.description}`
  }
}

/**
 * A resume does not fit the paused run (a decision missing or for an unknown call).
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidResume extends Data.TaggedClass("InvalidResume")<{ readonly description: string }> {
  get message(): string {
    return `cannot resume: ${this.description}`
  }
}

/**
 * Every reason an agent run can fail.
 *
 * @since 0.1.0
 * @category models
 */
export type AgentErrorReason = ModelCallFailed | MaxStepsReached | InvalidAgent | InvalidOutput | InvalidResume

/**
 * The error of `Agent.run`, `Agent.stream` and `Agent.resume`.
 *
 * @since 0.1.0
 * @category errors
 */
export class AgentError extends Data.TaggedError("AgentError")<{
  readonly reason: AgentErrorReason
  /** The run when it failed: messages, steps, usage. */
  readonly state: AgentState
}> {
  override get message(): string {
    return this.reason.message
  }
}
