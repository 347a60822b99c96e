import { spawn } from 'node:child_process'
import os from 'node:os'

export interface RunOptions {
  /** Killed (SIGKILL) past this. */
  timeoutMs: number
  /** Aborting kills the child (job cancel, shutdown). */
  signal?: AbortSignal
  /** Called with each stdout chunk instead of collecting stdout (for streamed PCM). */
  onStdout?: (chunk: Buffer) => void
  /** Receives the (bounded) stderr when the child ends, whatever the outcome: for the job log. */
  onStderr?: (stderr: string) => void
  /** Keep at most this much stderr (the end of it). @default 256 KiB */
  maxStderrBytes?: number
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: string
}

/**
 * ffmpeg and ffprobe run at a lower CPU priority (nice 10 by default, `FFMPEG_NICE` to change, 0
 * to keep): transcoding is background work, and on a small server it must not slow down the
 * uploads and pages people are waiting for.
 */
export const deprioritize = (pid: number | undefined): void => {
  const niceness = Number(process.env.FFMPEG_NICE ?? 10)
  if (!pid || !Number.isInteger(niceness) || niceness <= 0) return
  try {
    os.setPriority(pid, Math.min(19, niceness))
  } catch {
    // The child may already have exited; priority is best effort.
  }
}

export class ToolTimeoutError extends Error {
  override name = 'ToolTimeoutError'
}

/** The tool was killed by a signal from outside (the OOM killer, an operator): a server fault, worth a retry, not a verdict on the file. */
export class ToolKilledError extends Error {
  override name = 'ToolKilledError'
}

/**
 * Runs ffmpeg/ffprobe with a hard timeout; the child is killed on timeout or abort, never left
 * running. stderr is kept (bounded) for the job log and for parsing filter reports.
 */
export const runTool = (binary: string, args: string[], options: RunOptions): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason ?? new Error('aborted'))
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    deprioritize(child.pid)
    const stdout: Buffer[] = []
    let stderr = ''
    const maxStderr = options.maxStderrBytes ?? 256 * 1024
    let failure: Error | undefined
    const kill = (error: Error) => {
      failure ??= error
      child.kill('SIGKILL')
    }
    const timer = setTimeout(() => kill(new ToolTimeoutError(`${binary.split('/').pop()} took longer than ${options.timeoutMs} ms and was stopped.`)), options.timeoutMs)
    const onAbort = () => kill((options.signal?.reason as Error) ?? new Error('aborted'))
    options.signal?.addEventListener('abort', onAbort, { once: true })
    child.stdout.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : stdout.push(chunk)))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
      if (stderr.length > maxStderr * 2) stderr = stderr.slice(-maxStderr)
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      options.onStderr?.(stderr.slice(-maxStderr))
      if (failure) return reject(failure)
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: stderr.slice(-maxStderr) })
    })
  })
