/**
 * The running mock server as an Effect service, so a test suite can start one per layer and read
 * its URL and recorded requests.
 *
 * @example
 * ```ts
 * import { layer } from "@effect/vitest"
 * import { MockGrok } from "@grokit/mock"
 * import { Effect } from "effect"
 *
 * layer(MockGrok.layer())("my client", (it) => {
 *   it.effect("talks to the mock", () =>
 *     Effect.gen(function*() {
 *       const mock = yield* MockGrok
 *       // ... point the client at mock.url, then assert on mock.requests ...
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Context, Layer } from "effect"
import type { MockServerHandle, MockServerOptions } from "./MockServer.ts"
import { start } from "./MockServer.ts"

/**
 * The mock server of the current scope.
 *
 * @since 0.1.0
 * @category services
 */
export class MockGrok extends Context.Service<MockGrok, MockServerHandle>()("@grokit/mock/MockGrok") {
  /**
   * Starts a mock server for the life of the layer.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (options?: MockServerOptions): Layer.Layer<MockGrok> => Layer.effect(MockGrok, start(options))
}
