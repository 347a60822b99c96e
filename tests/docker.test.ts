import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { describe, expect, test } from '@jest/globals'

import { root } from './helpers/cliServer'

/**
 * What an operator follows on paper: the compose file as Debian's `docker-compose config` reads it
 * (no container can run here), the Dockerfile's promises, and the README's Docker and production
 * sections naming only variables, commands and files that exist.
 */

const composeBinary = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0
if (!composeBinary) console.warn('SKIPPED the docker-compose config check: docker-compose is not installed (apt-get install docker-compose); under CI=true it fails instead.')
const composeTest = composeBinary || process.env.CI ? test : test.skip

const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
const section = (title: string): string => {
  const start = readme.indexOf(`## ${title}\n`)
  expect(start).toBeGreaterThan(-1)
  const end = readme.indexOf('\n## ', start + 4)
  return readme.slice(start, end === -1 ? undefined : end)
}

const composeConfig = (env: Record<string, string>, profiles: string[] = []): { status: number | null; stdout: string; stderr: string } => {
  const envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compose-')), '.env')
  fs.writeFileSync(envFile, Object.entries(env).map(([key, value]) => `${key}=${value}`).join('\n') + '\n')
  // Only the variables in the env file: none leak in from the test's environment.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(POSTGRES_|PAYLOAD_|SERVER_URL|SMTP_|EMAIL_|HTTP_PORT|LOG_LEVEL|S3_|MINIO_)/.test(key)))
  return spawnSync('docker-compose', ['-p', 'shrutik', '-f', 'docker/compose.yml', '--env-file', envFile, ...profiles.flatMap((profile) => ['--profile', profile]), 'config'], {
    cwd: root,
    encoding: 'utf8',
    env: clean as NodeJS.ProcessEnv,
  })
}

describe('docker/compose.yml', () => {
  composeTest('is valid, needs its two secrets, and passes mail settings and volumes to the app', () => {
    const missing = composeConfig({ PAYLOAD_SECRET: 'x'.repeat(64) })
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toMatch(/POSTGRES_PASSWORD/)

    const result = composeConfig({
      PAYLOAD_SECRET: 'p'.repeat(64),
      POSTGRES_PASSWORD: 'database-password',
      SERVER_URL: 'https://voice.example.org',
      SMTP_URL: 'smtps://user:pass@smtp.example.org:465',
      EMAIL_FROM: 'no-reply@example.org',
      HTTP_PORT: '8081',
    })
    expect(result.stderr).not.toMatch(/ERROR/)
    expect(result.status).toBe(0)
    const config = result.stdout
    for (const service of ['web', 'worker', 'postgres', 'nginx']) expect(config).toMatch(new RegExp(`^  ${service}:$`, 'm'))
    // The app services get mail settings, the public address and the database with its password.
    expect(config.match(/SMTP_URL: smtps:\/\/user:pass@smtp\.example\.org:465/g)).toHaveLength(2)
    expect(config.match(/EMAIL_FROM: no-reply@example\.org/g)).toHaveLength(2)
    expect(config.match(/SERVER_URL: https:\/\/voice\.example\.org/g)).toHaveLength(2)
    expect(config).toMatch(/DATABASE_URL: postgres:\/\/shrutik:database-password@postgres:5432\/shrutik/)
    expect(config).toMatch(/RATE_LIMIT_STORE: postgres/)
    // Media and backups on named volumes shared by web and worker; nginx runs the project's config.
    expect(config.match(/media:\/data\/media/g)).toHaveLength(2)
    expect(config.match(/backups:\/data\/backups/g)).toHaveLength(2)
    expect(config).toMatch(/nginx\.conf:\/etc\/nginx\/conf\.d\/default\.conf:ro/)
    expect(config).toMatch(/published: 8081/)
    expect(config.match(/healthcheck:/g)!.length).toBeGreaterThanOrEqual(4)
    // Without S3 settings the app keeps media on the volume: the S3 variables reach web, worker (and the unused one-shot) empty.
    expect(config.match(/S3_BUCKET: ''/g)).toHaveLength(3)
  })

  composeTest('the s3 profile adds MinIO and a bucket-making one-shot, wired to the app\'s S3 variables', () => {
    const result = composeConfig(
      {
        PAYLOAD_SECRET: 'p'.repeat(64),
        POSTGRES_PASSWORD: 'database-password',
        S3_BUCKET: 'shrutik-media',
        S3_ENDPOINT: 'http://minio:9000',
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: 'shrutik',
        S3_SECRET_ACCESS_KEY: 'minio-secret-key',
        S3_FORCE_PATH_STYLE: 'true',
      },
      ['s3'],
    )
    expect(result.stderr).not.toMatch(/ERROR/)
    expect(result.status).toBe(0)
    const config = result.stdout
    for (const service of ['minio', 'minio-bucket']) expect(config).toMatch(new RegExp(`^  ${service}:$`, 'm'))
    for (const line of ['S3_BUCKET: shrutik-media', 'S3_ENDPOINT: http://minio:9000', 'S3_FORCE_PATH_STYLE: "true"', 'S3_ACCESS_KEY_ID: shrutik']) {
      // web and worker, and the one-shot for the bucket and keys.
      expect(config.split('\n').filter((text) => text.trim() === line).length).toBeGreaterThanOrEqual(2)
    }
    expect(config).toMatch(/MINIO_ROOT_USER: shrutik/)
    expect(config).toMatch(/MINIO_ROOT_PASSWORD: minio-secret-key/)
    expect(config).toMatch(/mc mb --ignore-existing "local\/\$\$S3_BUCKET"/)
    expect(config).toMatch(/minio:\/data/)
  })
})

describe('docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8')
  test('Node 22 LTS, ffmpeg from Debian, runtime dependencies only, a non-root user that owns its volumes', () => {
    expect(dockerfile).toMatch(/node:22-bookworm-slim/)
    expect(dockerfile).toMatch(/apt-get install[^\n]*ffmpeg/)
    expect(dockerfile).toMatch(/npm prune --omit=dev/)
    expect(dockerfile).toMatch(/^USER node$/m)
    // Every folder a compose volume mounts on exists in the image, owned by node.
    const compose = fs.readFileSync(path.join(root, 'docker/compose.yml'), 'utf8')
    const mounts = [...compose.matchAll(/- \w+:(\/data\/\w+)/g)].map((match) => match[1])
    expect(mounts.length).toBeGreaterThan(0)
    const made = /mkdir -p ([^&]+)&& chown -R node:node \/data/.exec(dockerfile)?.[1].split(/\s+/) ?? []
    for (const mount of mounts) expect(made).toContain(mount)
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*readyz/)
  })
})

describe('the operator sections of the README', () => {
  const sources = (() => {
    const out: string[] = []
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (['node_modules', '.next', 'tests', '.git', 'data'].includes(entry.name)) continue
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) walk(full)
        else if (/\.(ts|tsx|mjs|yml)$/.test(entry.name) || entry.name === 'Dockerfile') out.push(fs.readFileSync(full, 'utf8'))
      }
    }
    for (const dir of ['src', 'plugins', 'collections', 'docker', 'bin']) walk(path.join(root, dir))
    out.push(fs.readFileSync(path.join(root, 'payload.config.ts'), 'utf8'))
    return out.join('\n')
  })()

  test.each(['Running with Docker', 'Production checklist', 'Backups and restore'])('"%s" names only variables, commands and files that exist', (title) => {
    const text = section(title)
    const variables = new Set([...text.matchAll(/`([A-Z][A-Z0-9_]{2,})(=[^`]*)?`/g)].map((match) => match[1]))
    expect(variables.size).toBeGreaterThan(0)
    for (const variable of variables) {
      // Read by the code, or set by the compose file for the containers.
      expect({ variable, used: sources.includes(variable) }).toEqual({ variable, used: true })
    }
    for (const [, command] of text.matchAll(/(?:npx shrutik|node bin\/shrutik\.mjs) ([a-z][a-z:-]*)/g)) {
      const help = spawnSync(process.execPath, [path.join(root, 'bin/shrutik.mjs'), '--help'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).stdout
      expect({ command, known: new RegExp(`^  ${command}\\b`, 'm').test(help) }).toEqual({ command, known: true })
    }
    for (const [, file] of text.matchAll(/`((?:docker|tests|src)\/[\w./-]+)`/g)) {
      // A file the reader makes from its example (docker/.env) counts when the example exists.
      const exists = fs.existsSync(path.join(root, file)) || fs.existsSync(path.join(root, `${file}.example`))
      expect({ file, exists }).toEqual({ file, exists: true })
    }
  }, 60_000)

  test('the Grafana dashboard is valid JSON and charts only metrics Shrutik publishes', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(root, 'docker/grafana-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] }
    const metrics = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => [...target.expr.matchAll(/\b((?:http|shrutik|process|nodejs)_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[{[)\s]|$)/g)].map((match) => match[1]))))
    expect(metrics.size).toBeGreaterThanOrEqual(6)
    for (const metric of metrics) {
      const published = sources.includes(`'${metric}'`) || /^(process|nodejs)_/.test(metric)
      expect({ metric, published }).toEqual({ metric, published: true })
    }
  })
})
