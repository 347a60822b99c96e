import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** The real `shrutik start` as an NGO runs it, for the smoke and browser suites. */

export const root = path.resolve(import.meta.dirname, '../..')
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * As root with the repository in a folder the postgres user cannot enter (/root/...), a server keeps
 * its cluster under SHRUTIK_POSTGRES_HOME (default /var/lib/shrutik): here a throwaway folder,
 * removed when this test process exits.
 */
export const postgresHome = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-cli-pg-'))
  fs.chmodSync(dir, 0o755)
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'home')
})()

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address() as net.AddressInfo
      probe.close(() => resolve(address.port))
    })
  })

export interface CliServer {
  child: ChildProcess
  /** Everything the server printed so far. */
  output: () => string
}

/** Starts `bin/shrutik.mjs start` on a fresh data directory and waits for /readyz (building first if needed). */
export const startCliServer = async ({ port, dataDir, env = {} }: { port: number; dataDir: string; env?: Record<string, string> }): Promise<CliServer> => {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SHRUTIK_DATA_DIR: dataDir, SHRUTIK_POSTGRES_HOME: postgresHome, SERVER_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn', ...env }
  delete childEnv.DATABASE_URL
  delete childEnv.PAYLOAD_SECRET
  delete childEnv.NODE_OPTIONS
  const child = spawn(process.execPath, ['bin/shrutik.mjs', 'start'], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  // The first start may build the web app: allow it time.
  const deadline = Date.now() + 15 * 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output.slice(-4000)}`)
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.status === 200).catch(() => false)
    if (ready) return { child, output: () => output }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`server not ready in time:\n${output.slice(-4000)}`)
}

/** The one-time first-admin link a server printed at start (while it had no account). */
export const setupLinkFrom = (output: string): URL => {
  const link = /Create the first admin at (\S+)/.exec(output)?.[1]
  if (!link) throw new Error(`the server printed no first-admin setup link:\n${output.slice(-4000)}`)
  return new URL(link)
}

/** The token in that link, for API clients (`X-Setup-Token`). */
export const setupTokenFrom = (output: string): string => setupLinkFrom(output).searchParams.get('setup') ?? ''

export const stopCliServer = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode)
    child.once('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })

/**
 * The first admin of a freshly started server, made with the one-time setup token it printed, then
 * signed in and (like everyone who uploads) consenting to the current terms. Returns the session token.
 */
export const registerFirstAdmin = async (origin: string, output: string, admin: { email: string; password: string }): Promise<string> => {
  const json = { 'Content-Type': 'application/json' }
  const registered = await fetch(`${origin}/api/users/first-register`, {
    method: 'POST',
    headers: { ...json, 'X-Setup-Token': setupTokenFrom(output) },
    body: JSON.stringify({ ...admin, 'confirm-password': admin.password }),
  })
  if (registered.status !== 200) throw new Error(`first-register answered ${registered.status}: ${await registered.text()}`)
  const login = await fetch(`${origin}/api/users/login`, { method: 'POST', headers: json, body: JSON.stringify(admin) })
  const token = ((await login.json()) as { token?: string }).token
  if (!token) throw new Error(`the first admin could not sign in (${login.status})`)
  const { TERMS_VERSION } = await import('../../src/lib/terms')
  const consent = await fetch(`${origin}/api/site/consent`, { method: 'POST', headers: { ...json, Authorization: `JWT ${token}` }, body: JSON.stringify({ termsVersion: TERMS_VERSION }) })
  if (consent.status !== 200) throw new Error(`the first admin's consent answered ${consent.status}`)
  return token
}
