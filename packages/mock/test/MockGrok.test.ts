import { assert, describe, it } from "@effect/vitest"
import { MockGrok, MockScript } from "@grokit/mock"
import { Context, Effect, Layer } from "effect"
import { ask, chat, parseJson, send } from "./support/Http.ts"

describe("MockGrok", () => {
  it.layer(MockGrok.layer({ script: [MockScript.text("from the layer")] }))("as a layer", (it) => {
    it.effect("provides the running server's handle", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
        assert.strictEqual((yield* send(`${mock.url}/models`)).status, 200)
        const answer = parseJson(yield* chat(mock.url, ask("hi")))
        assert.strictEqual(answer.choices[0].message.content, "from the layer")
      }))

    it.effect("shares one server across the tests of the layer", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        assert.strictEqual(mock.requestCount, 2)
      }))
  })

  it.effect("closes the server when the layer is released", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(MockGrok.layer())
        return Context.get(context, MockGrok).url
      }))
      const outcome = yield* Effect.promise(() => fetch(`${url}/models`).then(() => "answered", () => "refused"))
      assert.strictEqual(outcome, "refused")
    }))
})
