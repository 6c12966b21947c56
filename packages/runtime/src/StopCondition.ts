/**
 * When an agent run stops calling tools. A stop condition is a value: a predicate on the run so
 * far, with a description for the result. Conditions combine with `anyOf` and `allOf`.
 *
 * The step cap (`maxSteps` of an agent, default 10) is separate: reaching it with tool calls still
 * pending ends the run with one final answer without tools, or with `MaxStepsReached`, as the
 * agent says; never silently.
 *
 * @since 0.1.0
 */
import type { RunUsage } from "./RunUsage.ts"
import { costInUsDollars } from "./RunUsage.ts"

/**
 * What a stop condition sees after each step.
 *
 * @since 0.1.0
 * @category models
 */
export interface StopContext {
  /** Model calls made so far. */
  readonly steps: number
  /** Usage so far. */
  readonly usage: RunUsage
  /** Names of the tools called in the last step, in call order. */
  readonly toolsCalledInLastStep: ReadonlyArray<string>
  /** Names of every tool called so far, in call order. */
  readonly toolsCalled: ReadonlyArray<string>
}

/**
 * A stop condition.
 *
 * @since 0.1.0
 * @category models
 */
export interface StopCondition {
  readonly description: string
  readonly isMet: (context: StopContext) => boolean
}

/**
 * Stops after `count` model calls.
 *
 * @example
 * ```ts
 * StopCondition.stepCount(3).isMet({ steps: 3, usage, toolsCalledInLastStep: [], toolsCalled: [] }) // => true
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const stepCount = (count: number): StopCondition => ({
  description: `${count} steps`,
  isMet: (context) => context.steps >= count
})

/**
 * Stops after a step that called the named tool (its result is in the run's last step).
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCalled = (name: string): StopCondition => ({
  description: `tool ${name} called`,
  isMet: (context) => context.toolsCalledInLastStep.includes(name)
})

/**
 * Stops once the run has used at least `tokens` tokens (prompt, completion and reasoning).
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenBudget = (tokens: number): StopCondition => ({
  description: `token budget of ${tokens} reached`,
  isMet: (context) => context.usage.totalTokens >= tokens
})

/**
 * Stops once the run has cost at least `dollars` US dollars (from xAI's `cost_in_usd_ticks`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const costBudget = (dollars: number): StopCondition => ({
  description: `cost budget of $${dollars} reached`,
  isMet: (context) => costInUsDollars(context.usage) >= dollars
})

/**
 * Stops when a custom predicate holds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const when = (description: string, isMet: (context: StopContext) => boolean): StopCondition => ({
  description,
  isMet
})

/**
 * Stops when any of the conditions holds.
 *
 * @since 0.1.0
 * @category combinators
 */
export const anyOf = (...conditions: ReadonlyArray<StopCondition>): StopCondition => ({
  description: conditions.map((condition) => condition.description).join(" or "),
  isMet: (context) => conditions.some((condition) => condition.isMet(context))
})

/**
 * Stops when all of the conditions hold.
 *
 * @since 0.1.0
 * @category combinators
 */
export const allOf = (...conditions: ReadonlyArray<StopCondition>): StopCondition => ({
  description: conditions.map((condition) => condition.description).join(" and "),
  isMet: (context) => conditions.every((condition) => condition.isMet(context))
})

/**
 * The first condition among several that holds, for reporting which one stopped a run.
 *
 * @since 0.1.0
 * @category accessors
 */
export const firstMet = (
  conditions: ReadonlyArray<StopCondition>,
  context: StopContext
): StopCondition | undefined => conditions.find((condition) => condition.isMet(context))
