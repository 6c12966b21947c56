/**
 * Loopback servers for the search tests: a canary that counts accepted connections (the SSRF
 * target nothing may reach), an HTTP server with per-path handlers, and a raw TCP server for
 * responses Node's HTTP server would not send (lying Content-Length, close-delimited bodies).
 */
import * as http from "node:http"
import * as net from "node:net"

export interface Canary {
  readonly host: string
  readonly port: number
  readonly connections: () => number
  readonly close: () => Promise<void>
}

/** A TCP server that counts every accepted connection and answers nothing useful. */
export const startCanary = (host: string): Promise<Canary> =>
  new Promise((resolve, reject) => {
    let count = 0
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => {
      count++
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\ncanary")
    })
    server.on("error", reject)
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port
      resolve({
        host,
        port,
        connections: () => count,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void

export interface TestServer {
  readonly host: string
  readonly port: number
  readonly origin: string
  readonly requests: () => number
  readonly route: (path: string, handler: Handler) => void
  readonly close: () => Promise<void>
}

/** An HTTP server with handlers per path (404 otherwise); counts requests. */
export const startServer = (host: string): Promise<TestServer> =>
  new Promise((resolve, reject) => {
    const routes = new Map<string, Handler>()
    const sockets = new Set<net.Socket>()
    let count = 0
    const server = http.createServer((request, response) => {
      count++
      const path = new URL(request.url ?? "/", "http://x").pathname
      const handler = routes.get(path)
      if (handler === undefined) {
        response.statusCode = 404
        response.end("not found")
        return
      }
      handler(request, response)
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.on("error", reject)
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port
      resolve({
        host,
        port,
        origin: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        requests: () => count,
        route: (path, handler) => void routes.set(path, handler),
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })

export interface RawServer {
  readonly port: number
  readonly origin: string
  readonly close: () => Promise<void>
}

/** A TCP server that runs `onConnection` for each client (after reading the request head). */
export const startRawServer = (host: string, onConnection: (socket: net.Socket) => void): Promise<RawServer> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      let head = ""
      const onData = (chunk: Buffer) => {
        head += chunk.toString("latin1")
        if (head.includes("\r\n\r\n")) {
          socket.off("data", onData)
          onConnection(socket)
        }
      }
      socket.on("data", onData)
    })
    server.on("error", reject)
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port
      resolve({
        port,
        origin: `http://${host}:${port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
