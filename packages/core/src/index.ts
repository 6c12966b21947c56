/**
 * @grokit/core: the Grok API in Effect. Wire Schemas, the seed tool's input, errors and the client.
 *
 * @since 0.1.0
 */
export * from "./ChatCompletion.ts"
export * as ChatCompletionAccumulator from "./ChatCompletionAccumulator.ts"
export * from "./ChatCompletionChunk.ts"
export * from "./ChatCompletionRequest.ts"
export * from "./ChatMessage.ts"
export * from "./ChatTool.ts"
export * from "./CreateChatCompletionInput.ts"
export * from "./ErrorBody.ts"
export type { SeedCreateChatCompletionInput } from "./generated/CreateChatCompletionInput.generated.ts"
export * from "./GrokClient.ts"
export * from "./GrokError.ts"
export { GrokResponses, type GrokResponsesService, layerResponsesFetch } from "./GrokResponses.ts"
export * from "./Model.ts"
export * from "./ModelCapabilities.ts"
export * from "./ResponseFormat.ts"
export * from "./ResponsesRequest.ts"
export * from "./ResponsesResponse.ts"
export * from "./ResponsesStreamEvent.ts"
export * as RetryPolicy from "./RetryPolicy.ts"
export * from "./SearchParameters.ts"
export * as ServerSentEvents from "./ServerSentEvents.ts"
export * from "./Usage.ts"
export * as ValidationIssue from "./ValidationIssue.ts"
export * from "./WireSchema.ts"
