#!/usr/bin/env node
/**
 * The `grokit` executable: runs the command tree of `Cli.ts` on Node, with SIGINT/SIGTERM
 * handling from `NodeRuntime.runMain`.
 *
 * @since 0.1.0
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import * as Cli from "./Cli.ts"

Cli.run.pipe(Effect.provide(NodeServices.layer), NodeRuntime.runMain)
