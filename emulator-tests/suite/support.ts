import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { suiteEnv } from '../../scripts/emulator-suite/env.js'

/** A command that prints a ready line, run for a test: its output, its process tree, and a clean stop. */
export interface Started {
  readonly child: ChildProcess
  output(): string
  /** Every process below the command seen so far (firebase-tools detaches its emulators, so they are looked for by parent). */
  descendants(): Set<number>
  /** SIGINT, then resolves with the exit code (or rejects after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>
}

/**
 * Runs `command args` in the emulator-suite environment (our java shim first on PATH, see
 * scripts/emulator-suite/env.ts) and resolves once its output contains `ready`; rejects with
 * the output if it exits first or `timeoutMs` passes.
 */
export function startAndWait(command: string, args: string[], options: { cwd: string; ready: string | RegExp; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Started> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? suiteEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const seen = new Set<number>()
  const poll = setInterval(() => {
    for (const pid of descendantsOf(child.pid!)) seen.add(pid)
  }, 250)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    clearInterval(poll)
    resolve(code)
  }))
  const started: Started = {
    child,
    output: () => output,
    descendants: () => {
      if (child.exitCode === null) for (const pid of descendantsOf(child.pid!)) seen.add(pid)
      return seen
    },
    async stop(timeoutMs = 30_000) {
      started.descendants()
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL')
          reject(new Error(`${command} did not stop within ${timeoutMs} ms of SIGINT; output:\n${output.slice(-3000)}`))
        }, timeoutMs)
      })
      try {
        return await Promise.race([exited, timeout])
      } finally {
        clearTimeout(timer)
      }
    },
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void started.stop(10_000).catch(() => undefined)
      reject(new Error(`not ready within ${options.timeoutMs} ms; output:\n${output.slice(-4000)}`))
    }, options.timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (typeof options.ready === 'string' ? output.includes(options.ready) : options.ready.test(output)) {
        clearTimeout(timer)
        resolve(started)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${command} exited (${code}) before it was ready; output:\n${output.slice(-4000)}`))
    })
  })
}

/** Processes whose parent chain leads to `root`, from /proc. */
export function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(Number(entry), ppid)
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = []
  const frontier = [root]
  while (frontier.length > 0) {
    const parent = frontier.pop()!
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid)
        frontier.push(pid)
      }
    }
  }
  return found
}

/** Whether a process is still alive (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
