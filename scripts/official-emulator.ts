import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Finds and starts Google's official Cloud Firestore emulator, where one is installed, so
 * our tests and benchmarks can be pointed at it for comparison. It is a closed JAR: from
 * the google-cloud-cli-firestore-emulator package, or firebase-tools' download cache, or
 * FIRESTORE_EMULATOR_JAR. Returns undefined when none is found or Java is missing.
 */

const MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore'

export function findOfficialEmulatorJar(): string | undefined {
  const given = process.env['FIRESTORE_EMULATOR_JAR']
  if (given) return existsSync(given) ? given : undefined
  const candidates = ['/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar']
  const cache = join(homedir(), '.cache', 'firebase', 'emulators')
  if (existsSync(cache)) {
    for (const file of readdirSync(cache).sort().reverse()) {
      if (/^cloud-firestore-emulator-.*\.jar$/.test(file)) candidates.push(join(cache, file))
    }
  }
  return candidates.find((path) => existsSync(path))
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface OfficialEmulator {
  host: string
  port: number
  jar: string
  stop(): Promise<void>
}

/** Starts the official emulator on a free loopback port and waits until it answers. */
export async function startOfficialEmulator(timeoutMs = 60_000): Promise<OfficialEmulator | undefined> {
  const jar = findOfficialEmulatorJar()
  if (!jar) return undefined
  const port = await freePort()
  const child = spawn('java', ['-Duser.language=en', '-cp', jar, MAIN_CLASS, 'start', '--host=127.0.0.1', `--port=${port}`], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true))
    const deadline = Date.now() + timeoutMs
    const poll = async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`)
        if (response.ok) return resolve(false)
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || child.exitCode !== null) return resolve(true)
      setTimeout(() => void poll(), 200)
    }
    void poll()
  })
  const stop = async () => {
    child.kill('SIGTERM')
    await exited
  }
  if (failed) {
    await stop()
    return undefined
  }
  return { host: '127.0.0.1', port, jar, stop }
}
