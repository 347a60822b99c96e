import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Workspace packages ship TypeScript sources.
  transpilePackages: ['@shrutik/plugin-sdk', '@shrutik/plugin-audio-processing'],
  // Spawn binaries and native code at run time; never bundled.
  serverExternalPackages: ['fluent-ffmpeg', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
  // Security headers are set by the Express server (src/server) for every response.
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
