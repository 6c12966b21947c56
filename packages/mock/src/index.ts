/**
 * @grokit/mock: a Grok-compatible HTTP server for tests, benchmarks and offline runs. It is a
 * MOCK: deterministic answers from a script or a documented policy, xAI's validation errors, and
 * injectable faults.
 *
 * @since 0.1.0
 */
export * as GrokEnvironment from "./GrokEnvironment.ts"
export * as MockFault from "./MockFault.ts"
export { MockGrok } from "./MockGrok.ts"
export * as MockModels from "./MockModels.ts"
export * as MockPolicy from "./MockPolicy.ts"
export * as MockResponses from "./MockResponses.ts"
export * as MockScript from "./MockScript.ts"
export * as MockSearchCorpus from "./MockSearchCorpus.ts"
export * as MockServer from "./MockServer.ts"
export type { ClosableMockServer, MockServerHandle, MockServerOptions, RecordedRequest } from "./MockServer.ts"
export { startMockServer } from "./MockServer.ts"
