/**
 * `grokit chat "<prompt>"`: streams Grok's answer to one prompt. Offline against an in-process mock
 * unless `XAI_API_KEY` is set (the first line says which).
 *
 * @since 0.1.0
 */
import { GrokEnvironment } from "@grokit/mock"
import { Agent } from "@grokit/runtime"
import { Console, Effect, Option, Stream } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as Render from "./Render.ts"

/**
 * The `chat` subcommand.
 *
 * @example
 * ```sh
 * grokit chat "What is the capital of France?" --model grok-4.3
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "chat",
  {
    prompt: Argument.String("prompt").pipe(Argument.withDescription("What to ask")),
    model: Flag.String("model").pipe(
      Flag.withDescription("The model id"),
      Flag.withDefault(process.env.GROK_MODEL ?? "grok-4.3")
    ),
    system: Flag.String("system").pipe(Flag.withDescription("A system message"), Flag.optional),
    temperature: Flag.Finite("temperature").pipe(
      Flag.withDescription("Sampling temperature, 0 to 2"),
      Flag.filter(
        (value) => value >= 0 && value <= 2,
        (value) => `--temperature must be between 0 and 2, got ${value}`
      ),
      Flag.optional
    )
  },
  Effect.fnUntraced(function*({ model, prompt, system, temperature }) {
    const environment = yield* GrokEnvironment.GrokEnvironment
    yield* Console.error(Render.dim(environment.notice))
    const agent = Agent.make({
      model,
      instructions: Option.getOrUndefined(system),
      request: Option.isSome(temperature) ? { temperature: temperature.value } : undefined
    })
    let wroteText = false
    yield* Agent.stream(agent, prompt).pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          if (event._tag === "TextDelta") {
            wroteText = true
            process.stdout.write(event.delta)
          } else if (event._tag === "Finish") {
            if (wroteText) process.stdout.write("\n")
            if (event.result.status === "completed") {
              process.stderr.write(`${Render.summary(event.result).trim()}\n`)
            }
          }
        })
      )
    )
  }, (effect) => effect.pipe(Effect.provide(GrokEnvironment.layer()), Render.reportFailure))
).pipe(Command.withDescription("Ask Grok one question and stream the answer"))
