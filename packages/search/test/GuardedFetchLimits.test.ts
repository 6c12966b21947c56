/**
 * reliability.md §6 item 19: the body cap is enforced on the streamed bytes (a lying or missing
 * Content-Length, chunked and close-delimited bodies, a gzip bomb) and the total time cap holds
 * against a slow-drip server and a server that never answers.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { GuardedFetch } from "@grokit/search"
import { Effect } from "effect"
import type * as net from "node:net"
import * as zlib from "node:zlib"
import { type RawServer, startRawServer, startServer, type TestServer } from "./support/Servers.ts"

const HOST = "127.0.0.5"
const CAP = 1024 * 1024
const MiB = 1024 * 1024

let server: TestServer
const raw: Record<string, RawServer> = {}
const timers = new Set<NodeJS.Timeout>()

const fetcher = (options: GuardedFetch.GuardedFetchOptions = {}) =>
  GuardedFetch.make({ allow: [HOST], maxBytes: CAP, timeout: "5 seconds", ...options })

const chunk = Buffer.alloc(64 * 1024, "a")

/** Writes `total` bytes to a socket in 64 KiB pieces, respecting back-pressure, until closed. */
const pump = (socket: net.Socket, total: number) => {
  let sent = 0
  const write = () => {
    while (sent < total && !socket.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent))
      sent += piece.length
      if (!socket.write(piece)) return void socket.once("drain", write)
    }
    if (!socket.destroyed) socket.end()
  }
  write()
}

beforeAll(async () => {
  server = await startServer(HOST)
  server.route("/declared-huge", (_, res) => {
    res.setHeader("content-length", String(50 * MiB))
    res.write("only a little")
  })
  server.route("/chunked-3mib", (_, res) => {
    let sent = 0
    const write = () => {
      while (sent < 3 * MiB && !res.destroyed) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once("drain", write)
      }
      res.end()
    }
    write()
  })
  server.route("/chunked-under", (_, res) => {
    res.write("a".repeat(1000))
    res.end("b".repeat(1000))
  })
  server.route("/gzip-bomb", (_, res) => {
    res.setHeader("content-encoding", "gzip")
    res.end(zlib.gzipSync(Buffer.alloc(20 * MiB, 0)))
  })
  server.route("/gzip-small", (_, res) => {
    res.setHeader("content-encoding", "gzip")
    res.end(zlib.gzipSync(Buffer.from("hello gzip")))
  })
  server.route("/slow-drip", (_, res) => {
    res.setHeader("content-type", "application/rss+xml")
    res.write("<")
    const timer = setInterval(() => res.destroyed ? clearInterval(timer) : res.write("a"), 100)
    timers.add(timer)
  })
  server.route("/never", () => {})
  server.route("/status-500", (_, res) => {
    res.statusCode = 500
    res.end("boom")
  })
  server.route("/status-304", (_, res) => {
    res.statusCode = 304
    res.end()
  })
  server.route("/redirect-no-location", (_, res) => {
    res.statusCode = 302
    res.end()
  })
  raw.lyingSmall = await startRawServer(HOST, (socket) => {
    // declares 100 bytes, then sends 3 MiB: only the declared 100 are the body
    socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n")
    pump(socket, 3 * MiB)
  })
  raw.closeDelimited = await startRawServer(HOST, (socket) => {
    // no Content-Length, no chunking: the body runs until the connection closes
    socket.write("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
    pump(socket, 3 * MiB)
  })
  raw.lyingUnderCap = await startRawServer(HOST, (socket) => {
    // declares 10 bytes, sends 5, closes
    socket.end("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort")
  })
  raw.bothHeaders = await startRawServer(HOST, (socket) => {
    socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\ntransfer-encoding: chunked\r\n\r\n")
    socket.write("300000\r\n")
    pump(socket, 3 * MiB)
  })
  raw.chunkedLyingSizes = await startRawServer(HOST, (socket) => {
    // one chunk that claims 0x7fffffff bytes
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n7fffffff\r\n")
    pump(socket, 3 * MiB)
  })
})

afterAll(async () => {
  for (const timer of timers) clearInterval(timer)
  await Promise.all([server.close(), ...Object.values(raw).map((r) => r.close())])
})

const reasonOf = (url: string, options?: GuardedFetch.GuardedFetchOptions) =>
  fetcher(options).fetch(url).pipe(Effect.flip, Effect.map((error) => error.reason))

describe("body size cap", () => {
  it.live("refuses early on a declared Content-Length over the cap", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`${server.origin}/declared-huge`)
      assert.strictEqual(reason._tag, "TooLarge")
      if (reason._tag === "TooLarge") assert.isTrue(reason.declared)
    }))

  it.live("caps a chunked body on the streamed bytes", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`${server.origin}/chunked-3mib`)
      assert.strictEqual(reason._tag, "TooLarge")
      if (reason._tag === "TooLarge") {
        assert.isFalse(reason.declared)
        assert.isAtMost(reason.received, CAP + 64 * 1024)
      }
    }))

  it.live("caps a close-delimited body (no Content-Length at all)", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`${raw.closeDelimited!.origin}/`)
      assert.strictEqual(reason._tag, "TooLarge")
    }))

  it.live("a Content-Length that lies low frames the body: 100 bytes read or a parse error, never more", () =>
    Effect.gen(function*() {
      // Node's parser either ends the body at the declared 100 bytes or reports the trailing data
      // (HPE_CLOSED_CONNECTION) first; both are fine, reading past the declared length is not.
      for (let i = 0; i < 5; i++) {
        const result = yield* Effect.result(fetcher().fetch(`${raw.lyingSmall!.origin}/`))
        if (result._tag === "Success") assert.strictEqual(result.success.body.byteLength, 100)
        else assert.strictEqual(result.failure.reason._tag, "Transport")
      }
    }))

  it.live("a Content-Length that lies high (connection closes early) is a Transport error", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`${raw.lyingUnderCap!.origin}/`)
      assert.strictEqual(reason._tag, "Transport")
    }))

  it.live("Content-Length with Transfer-Encoding, or a lying chunk size, never yields more than the cap", () =>
    Effect.gen(function*() {
      for (const origin of [raw.bothHeaders!.origin, raw.chunkedLyingSizes!.origin]) {
        const result = yield* Effect.result(fetcher().fetch(`${origin}/`))
        if (result._tag === "Success") assert.isAtMost(result.success.body.byteLength, CAP)
        else assert.include(["TooLarge", "Transport"], result.failure.reason._tag)
      }
    }))

  it.live("caps the decompressed bytes of a gzip bomb (20 MiB of zeros in ~20 KiB)", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`${server.origin}/gzip-bomb`)
      assert.strictEqual(reason._tag, "TooLarge")
      const small = yield* fetcher().fetch(`${server.origin}/gzip-small`)
      assert.strictEqual(new TextDecoder().decode(small.body), "hello gzip")
    }))

  it.live("bodies under the cap come through whole; per-call caps override", () =>
    Effect.gen(function*() {
      const response = yield* fetcher().fetch(`${server.origin}/chunked-under`)
      assert.strictEqual(response.body.byteLength, 2000)
      const refused = yield* fetcher().fetch(`${server.origin}/chunked-under`, { maxBytes: 1500 }).pipe(Effect.flip)
      assert.strictEqual(refused.reason._tag, "TooLarge")
    }))
})

describe("total time cap", () => {
  it.live("a slow-drip server hits the total time limit", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const reason = yield* reasonOf(`${server.origin}/slow-drip`, { timeout: "800 millis" })
      const elapsed = Date.now() - started
      assert.strictEqual(reason._tag, "Timeout")
      // generous bound (CI noise): the limit is 800 ms
      assert.isBelow(elapsed, 3000)
      assert.isAtLeast(elapsed, 700)
    }))

  it.live("a server that never answers hits the limit; so does a per-call timeout", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`${server.origin}/never`, { timeout: "300 millis" })
      assert.strictEqual(reason._tag, "Timeout")
      const perCall = yield* fetcher().fetch(`${server.origin}/never`, { timeout: "200 millis" }).pipe(Effect.flip)
      assert.strictEqual(perCall.reason._tag, "Timeout")
    }))

  it.live("a slow resolver counts against the limit", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf("http://slow-dns.test/", {
        timeout: "200 millis",
        resolve: () => Effect.never
      })
      assert.strictEqual(reason._tag, "Timeout")
    }))
})

describe("status handling", () => {
  it.live("non-2xx finals are HttpStatus; a redirect without Location too", () =>
    Effect.gen(function*() {
      for (
        const [path, status] of [["/status-500", 500], ["/status-304", 304], ["/missing", 404], [
          "/redirect-no-location",
          302
        ]] as const
      ) {
        const reason = yield* reasonOf(`${server.origin}${path}`)
        assert.strictEqual(reason._tag, "HttpStatus", path)
        if (reason._tag === "HttpStatus") assert.strictEqual(reason.status, status)
      }
    }))
})
