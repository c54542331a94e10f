import { createServer, request as forward, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What a buffering proxy adds to every answer: enough that the SDK measures a handshake time above zero. */
const LATENCY_MS = 20

/**
 * An HTTP proxy on 127.0.0.1 that holds each response until it is complete, as some
 * corporate proxies and antivirus filters do. A streaming WebChannel back channel never
 * completes, so through this proxy it delivers nothing: the SDK's buffering-proxy detection
 * (experimentalAutoDetectLongPolling) must notice and switch to long polling.
 */
export class BufferingProxy {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<BufferingProxy> {
    const server = createServer((incoming, outgoing) => {
      const upstream = forward({ host: target.host, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          setTimeout(() => {
            const headers = { ...answer.headers }
            delete headers['transfer-encoding']
            headers['content-length'] = String(Buffer.concat(chunks).length)
            outgoing.writeHead(answer.statusCode ?? 502, headers).end(Buffer.concat(chunks))
          }, LATENCY_MS)
        })
      })
      upstream.on('error', () => outgoing.destroy())
      // A client that gives up on a request (the SDK cancelling a back channel) ends it upstream too.
      outgoing.on('close', () => upstream.destroy())
      incoming.pipe(upstream)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return new BufferingProxy(server, (server.address() as AddressInfo).port)
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
