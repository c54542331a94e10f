import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core'
import type { ConnectOptions, Harness, TransportMode } from '../page/harness.js'

/** Debian's Chromium; Playwright's own browser download does not work here (design.md section 8). */
export const CHROMIUM = '/usr/bin/chromium'

/** Headless, and nothing that reaches off the machine. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const HARNESS_ENTRY = fileURLToPath(new URL('../page/harness.ts', import.meta.url))

/** How long any one call into a page may take before the test fails. */
const CALL_TIMEOUT_MS = 20_000

/**
 * A page's script: `entry` (harness.ts by default) and the browser build of the web SDK, bundled by
 * esbuild (platform 'browser' resolves firebase/firestore to the build that speaks WebChannel and REST).
 */
export async function bundleHarness(entry: string = HARNESS_ENTRY): Promise<string> {
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'silent', sourcemap: 'inline' })
  const file = result.outputFiles[0]
  if (!file) throw new Error('esbuild produced no bundle for the browser harness')
  return file.text
}

/** A static server on 127.0.0.1 for the test page: its own origin, so the SDK's requests are cross-origin as in production. */
export async function servePage(script: string): Promise<{ server: Server; url: string }> {
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>Quire browser SDK test</title><script type="module" src="/harness.js"></script></head><body></body></html>'
  const server = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    else if (request.url === '/harness.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script)
    else if (request.url === '/favicon.ico') response.writeHead(204).end()
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}

/** What a page's SDK sent on its WebChannel back channels: the `CI` parameter of each (0 streaming, 1 long polling). */
export interface ChannelTraffic {
  /** `CI` of every back-channel request, in order. */
  readonly backChannelCI: string[]
  /** How many WebChannel handshakes (new sessions) the page made. */
  handshakes: number
  /** Channel requests after a handshake that lacked the `gsessionid` the handshake answered with. */
  readonly missingSessionId: string[]
  /** The REST methods called (`commit`, `batchGet`...), in order. */
  readonly restMethods: string[]
  /** URLs of requests that failed at the network level (aborted ones excepted). */
  readonly failures: string[]
}

/** One browser page running the harness against the emulator, with its console and channel traffic recorded. */
export class BrowserPage {
  readonly logs: string[] = []
  readonly traffic: ChannelTraffic = { backChannelCI: [], handshakes: 0, missingSessionId: [], restMethods: [], failures: [] }

  constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message) => this.logs.push(`[${message.type()}] ${message.text()}${message.location().url ? ` (${message.location().url})` : ''}`))
    page.on('pageerror', (error) => this.logs.push(`[pageerror] ${error.message}`))
    page.on('request', (request: Request) => {
      const url = new URL(request.url())
      if (url.pathname.startsWith('/v1/') && request.method() !== 'OPTIONS') this.traffic.restMethods.push(url.pathname.slice(url.pathname.lastIndexOf(':') + 1))
      if (!url.pathname.endsWith('/channel')) return
      const handshake = request.method() === 'POST' && !url.searchParams.has('SID')
      if (handshake) this.traffic.handshakes++
      else if (!url.searchParams.has('gsessionid')) this.traffic.missingSessionId.push(request.url())
      if (url.searchParams.get('RID') === 'rpc') this.traffic.backChannelCI.push(url.searchParams.get('CI') ?? '?')
    })
    page.on('requestfailed', (request: Request) => {
      const failure = request.failure()?.errorText ?? ''
      if (!failure.includes('ERR_ABORTED')) this.traffic.failures.push(`${request.method()} ${request.url()}: ${failure}`)
    })
  }

  /** Calls a harness method in the page; fails after CALL_TIMEOUT_MS. */
  async call<M extends keyof Harness>(method: M, ...args: Parameters<Harness[M]>): Promise<Awaited<ReturnType<Harness[M]>>> {
    const run = this.page.evaluate(
      ({ method, args }) => {
        const harness = (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness
        return harness[method]!(...args)
      },
      { method, args: args as unknown[] },
    ) as Promise<Awaited<ReturnType<Harness[M]>>>
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`harness.${method} did not settle within ${CALL_TIMEOUT_MS} ms. Page log:\n${this.logs.slice(-30).join('\n')}`)), CALL_TIMEOUT_MS)
    })
    try {
      return await Promise.race([run, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Console lines since `from` that report a WebChannel failure the SDK hid by reconnecting.
   * REST calls that fail (a transaction's contended commit, say) are logged by Chrome too,
   * and are the SDK working as intended, so only channel requests count.
   */
  transportErrors(from = 0): string[] {
    return this.logs.slice(from).filter((line) => /transport errored|Could not reach Cloud Firestore|Failed to load resource.*\/channel\?/i.test(line))
  }

  async close(): Promise<void> {
    await this.call('close').catch(() => {})
    await this.context.close()
  }
}

/** A Chromium with the harness page served, opening pages connected to the emulator. */
export class BrowserHarness {
  private constructor(
    private readonly browser: Browser,
    private readonly server: Server,
    private readonly url: string,
  ) {}

  /** Launches Debian's Chromium; fails loudly (never skips) when it is not installed. */
  static async launch(): Promise<BrowserHarness> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium was not found at ${CHROMIUM}. The browser tests need it: apt-get install -y chromium (.ci/run installs it).`)
    }
    const [script, browser] = await Promise.all([bundleHarness(), chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 })])
    const { server, url } = await servePage(script)
    return new BrowserHarness(browser, server, url)
  }

  /** A page in a browser context of its own (its own connections and storage), connected in `mode`. */
  async open(options: Omit<ConnectOptions, 'mode'> & { mode: TransportMode }): Promise<BrowserPage> {
    const context = await this.browser.newContext()
    const page = await context.newPage()
    const browserPage = new BrowserPage(context, page)
    await page.goto(this.url, { timeout: 15_000 })
    await page.waitForFunction(() => 'harness' in globalThis, undefined, { timeout: 15_000 })
    await browserPage.call('connect', options)
    return browserPage
  }

  async close(): Promise<void> {
    await this.browser.close()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
