import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Security headers are set by the Express server (src/server) for every response.
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
