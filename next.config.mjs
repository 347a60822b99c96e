import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Workspace packages ship TypeScript sources.
  transpilePackages: ['@shrutik/plugin-sdk'],
  // Security headers are set by the Express server (src/server) for every response.
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
