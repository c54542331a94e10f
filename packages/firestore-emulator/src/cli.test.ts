import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../bin/firestore-emulator.mjs', import.meta.url))

let child: ChildProcess | undefined
afterEach(() => child?.kill('SIGKILL'))

/** Starts the command and resolves with the port from its single ready line. */
function start(args: string[]): Promise<{ port: number; output: () => string }> {
  child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 15 s; output:\n${output}`)), 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /ready on 127\.0\.0\.1:(\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve({ port: Number(match[1]), output: () => output })
      }
    }
    child!.stdout!.on('data', onData)
    child!.stderr!.on('data', onData)
    child!.on('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${output}`)))
  })
}

function exitCode(process: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => process.once('exit', (code) => resolve(code)))
}

describe('firestore-emulator command', () => {
  it('takes the official flag names, prints one ready line, serves HTTP, and stops cleanly on SIGTERM', async () => {
    const { port, output } = await start(['--host', '127.0.0.1', '--port', '0', '--project_id', 'demo-cli'])
    expect(port).toBeGreaterThan(0)
    expect(output()).toContain('project demo-cli')
    expect(output().trim().split('\n')).toHaveLength(1)
    const response = await fetch(`http://127.0.0.1:${port}/`)
    expect(await response.text()).toBe('Ok')
    const exited = exitCode(child!)
    child!.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 20_000)

  it('stops cleanly on SIGINT', async () => {
    await start(['--port', '0'])
    const exited = exitCode(child!)
    child!.kill('SIGINT')
    expect(await exited).toBe(0)
  }, 20_000)

  it('refuses a port that is not a number', async () => {
    child = spawn(process.execPath, [BIN, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect(await exitCode(child)).toBe(2)
    expect(stderr).toContain('--port must be a port number')
  }, 20_000)
})
