/**
 * Test support: a loopback HTTP server that serves RSS 2.0 feeds by path (404 otherwise), and
 * counts the requests it gets.
 */
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"

export interface FeedEntry {
  readonly title: string
  readonly link: string
  /** RFC 822, as RSS 2.0 writes dates. */
  readonly date: string
  readonly summary: string
}

export interface FeedServer {
  /** e.g. `http://127.0.0.1:43123` */
  readonly origin: string
  readonly requests: () => number
  readonly close: () => Promise<void>
}

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** An RSS 2.0 document. */
export const rss = (title: string, entries: ReadonlyArray<FeedEntry>): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>${escape(title)}</title>
<link>https://feeds.example/</link>
${
    entries.map((entry) =>
      `<item>
  <title>${escape(entry.title)}</title>
  <link>${escape(entry.link)}</link>
  <pubDate>${escape(entry.date)}</pubDate>
  <description>${escape(entry.summary)}</description>
</item>`
    ).join("\n")
  }
</channel>
</rss>`

/** Serves `feeds` (path -> RSS document) on 127.0.0.1. */
export const startFeedServer = (feeds: Readonly<Record<string, string>>): Promise<FeedServer> =>
  new Promise((resolve, reject) => {
    let count = 0
    const sockets = new Set<Socket>()
    const server = http.createServer((request, response) => {
      count++
      const path = new URL(request.url ?? "/", "http://feeds").pathname
      const body = feeds[path]
      if (body === undefined) {
        response.statusCode = 404
        response.end("not found")
        return
      }
      response.setHeader("content-type", "application/rss+xml; charset=utf-8")
      response.end(body)
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests: () => count,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
