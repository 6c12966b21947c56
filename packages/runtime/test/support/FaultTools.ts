/**
 * The tools the loop's fault scenarios call, shared by the unit tests (scripted client) and the
 * end-to-end tests (the mock over sockets): a sum, a clock, a sleeper whose finalizer is
 * recorded, a 10 MB output, and a handler that dies.
 */
import { Effect, Schema } from "effect"
import { Tool, Toolkit } from "effect/ai"

export const Add = Tool.make("add", {
  description: "Adds two numbers",
  parameters: Schema.Struct({ a: Schema.Finite, b: Schema.Finite }),
  success: Schema.Finite
})
export const Now = Tool.make("now", { description: "The time", success: Schema.String })
export const Slow = Tool.make("slow", {
  description: "Sleeps",
  parameters: Schema.Struct({ millis: Schema.Finite }),
  success: Schema.String
})
export const Big = Tool.make("big", { description: "A huge output", success: Schema.String })
export const Boom = Tool.make("boom", { description: "Throws", success: Schema.String })

export const FaultToolkit = Toolkit.make(Add, Now, Slow, Big, Boom)

/** The handlers; `released` receives the `millis` of every `slow` call whose finalizer ran. */
export const handlers = (released: Array<number>) =>
  FaultToolkit.of({
    add: ({ a, b }) => Effect.succeed(a + b),
    now: () => Effect.succeed("noon"),
    slow: ({ millis }) =>
      Effect.sleep(millis).pipe(
        Effect.as(`slept ${millis}`),
        Effect.ensuring(Effect.sync(() => released.push(millis)))
      ),
    big: () => Effect.succeed("x".repeat(10 * 1024 * 1024)),
    boom: () => Effect.die(new Error("the handler exploded"))
  })
