/**
 * How the CLI shows a run: the environment, each step, streamed text, each tool call with a
 * spinner while handlers run (on a terminal), each result with its time, and usage and cost at
 * the end. Also how it reports failures: one clear line, never a stack trace for expected errors,
 * and never the API key.
 *
 * @since 0.1.0
 */
import { GrokError } from "@grokit/core"
import { AgentError, type AgentEventType, type AgentResult, type PendingApproval, RunUsage } from "@grokit/runtime"
import type { Agent } from "@grokit/runtime"
import { Cause, Effect } from "effect"

const isTerminal = process.stdout.isTTY === true && process.env.NO_COLOR === undefined
const style = (code: string) => (text: string) => isTerminal ? `\u001b[${code}m${text}\u001b[0m` : text

/**
 * Dim text (on a terminal).
 *
 * @since 0.1.0
 * @category formatting
 */
export const dim = style("2")
const bold = style("1")
const cyan = style("36")
const green = style("32")
const red = style("31")
const yellow = style("33")

const preview = (text: string, max = 160): string => {
  const oneLine = text.replace(/\s+/g, " ").trim()
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}

/**
 * The title line of a run.
 *
 * @since 0.1.0
 * @category formatting
 */
export const heading = (name: string, description: string, model: string): string =>
  `${bold(`▶ ${name}`)}: ${description} ${dim(`(model ${model})`)}`

/**
 * The user's message.
 *
 * @since 0.1.0
 * @category formatting
 */
export const userLine = (input: string): string => `  ${cyan("user")}: ${input}`

/**
 * The closing line: steps, tokens, cost.
 *
 * @since 0.1.0
 * @category formatting
 */
export const summary = (result: AgentResult<unknown>): string => {
  const usage = result.usage
  const output = result.status === "completed" && typeof result.output !== "string"
    ? `\n  ${cyan("output")}: ${JSON.stringify(result.output)}`
    : ""
  const stop = result.status === "completed" && result.stopReason !== "answer"
    ? ` · stopped: ${result.stoppedBy ?? result.stopReason}`
    : ""
  const warnings = (result.warnings ?? []).map((warning) =>
    `\n  ${yellow("warning")}: ${warning.setting}: ${warning.message}`
  )
    .join("")
  return `${output}${warnings}\n${green("✔ done")} in ${result.steps.length} step${
    result.steps.length === 1 ? "" : "s"
  }${stop} · ` +
    `${usage.totalTokens} tokens (${usage.promptTokens} prompt, ${usage.cachedPromptTokens} cached, ` +
    `${usage.completionTokens} completion, ${usage.reasoningTokens} reasoning) · ` +
    `$${RunUsage.costInUsDollars(usage).toFixed(6)}`
}

/**
 * The decisions taken on calls that waited for approval.
 *
 * @since 0.1.0
 * @category formatting
 */
export const approvals = (
  pending: ReadonlyArray<PendingApproval>,
  decisions: Agent.ApprovalDecisions
): string =>
  pending.map((call) => {
    const decision = decisions[call.toolCallId]
    const verdict = decision === undefined
      ? red("no decision")
      : decision.approved
      ? green("approved")
      : `${red("rejected")}${decision.reason === undefined ? "" : ` (${decision.reason})`}`
    return `  ${yellow("? approval")} ${call.name} ${preview(call.arguments, 100)} → ${verdict}`
  }).join("\n")

const spinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/**
 * A stateful renderer of one run's events.
 *
 * @since 0.1.0
 * @category models
 */
export interface Renderer {
  readonly render: (event: AgentEventType<unknown>) => Effect.Effect<void>
  /** Stops the spinner and ends an open line. */
  readonly close: Effect.Effect<void>
}

/**
 * Creates a renderer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Renderer => {
  let inText = false
  let running = 0
  let spinner: ReturnType<typeof setInterval> | undefined
  let frame = 0
  const started = new Map<string, number>()
  const stopSpinner = () => {
    if (spinner !== undefined) {
      clearInterval(spinner)
      spinner = undefined
      process.stdout.write("\r\u001b[2K")
    }
  }
  const endText = () => {
    if (inText) {
      process.stdout.write("\n")
      inText = false
    }
  }
  const render = (event: AgentEventType<unknown>): Effect.Effect<void> =>
    Effect.sync(() => {
      switch (event._tag) {
        case "StepStart":
          endText()
          process.stdout.write(`${bold(`step ${event.step + 1}`)}\n`)
          return
        case "ReasoningDelta":
          if (!inText) process.stdout.write(`  ${dim("reasoning")}: `)
          inText = true
          process.stdout.write(dim(event.delta))
          return
        case "TextDelta":
          if (!inText) process.stdout.write(`  ${cyan("assistant")}: `)
          inText = true
          process.stdout.write(event.delta)
          return
        case "ToolCall":
          endText()
          started.set(event.call.id, Date.now())
          running++
          process.stdout.write(
            `  ${yellow("→")} ${event.call.function.name} ${preview(event.call.function.arguments)}\n`
          )
          if (isTerminal && spinner === undefined) {
            spinner = setInterval(() => {
              process.stdout.write(
                `\r  ${spinnerFrames[frame++ % spinnerFrames.length]} running ${running} tool${
                  running === 1 ? "" : "s"
                }…`
              )
            }, 80)
          }
          return
        case "ToolResult": {
          stopSpinner()
          running = Math.max(0, running - 1)
          const elapsed = Date.now() - (started.get(event.result.toolCallId) ?? Date.now())
          const mark = event.result.isFailure ? red("✗") : green("←")
          process.stdout.write(
            `  ${mark} ${event.result.name} ${preview(event.result.content)} ${dim(`${elapsed} ms`)}\n`
          )
          return
        }
        case "StepFinish":
          endText()
          process.stdout.write(
            dim(
              `  step ${event.step.index + 1}: ${event.step.usage.promptTokens} prompt + ` +
                `${event.step.usage.completionTokens} completion tokens, finish ${event.step.finishReason ?? "none"}\n`
            )
          )
          return
        case "Citation": {
          endText()
          const about = [event.title, event.date?.slice(0, 10)].filter((part) => part !== undefined).join(", ")
          process.stdout.write(
            `  ${dim(`source${event.origin === undefined ? "" : ` (${event.origin})`}`)}: ${event.url}${
              about === "" ? "" : ` ${dim(`— ${about}`)}`
            }\n`
          )
          return
        }
        case "Finish":
          endText()
          return
      }
    })
  return {
    render,
    close: Effect.sync(() => {
      stopSpinner()
      endText()
    })
  }
}

/**
 * One line that says what went wrong and what to do, for the errors a user can meet.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeFailure = (error: unknown): string => {
  if (error instanceof AgentError) {
    const reason = error.reason
    const usage = error.state.usage
    const spent = usage.totalTokens > 0
      ? ` (after ${error.state.steps.length} steps, ${usage.totalTokens} tokens, $${
        RunUsage.costInUsDollars(usage).toFixed(6)
      })`
      : ""
    if (reason._tag === "ModelCallFailed") return `${describeFailure(reason.error)}${spent}`
    return `${reason.message}${spent}`
  }
  if (error instanceof GrokError) {
    const reason = error.reason
    if (reason._tag === "TransportError") {
      return `cannot reach the Grok server: ${reason.description}. Check XAI_BASE_URL, or unset it to run offline.`
    }
    if (reason._tag === "HttpStatusError" && reason.kind === "Authentication") {
      return `${reason.message}. Set XAI_API_KEY to a valid xAI key.`
    }
    return error.message
  }
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

/**
 * Prints an expected failure as one line on stderr and exits with status 1; defects keep their
 * cause.
 *
 * @since 0.1.0
 * @category error handling
 */
export const reportFailure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A | void, E, R> =>
  Effect.catchCause(effect, (cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
    const failure = cause.reasons.find(Cause.isFailReason)
    const message = failure === undefined ? Cause.pretty(cause) : describeFailure(failure.error)
    return Effect.sync(() => {
      process.stderr.write(`${red("grokit: error")}: ${message}\n`)
      process.exitCode = 1
    })
  })
