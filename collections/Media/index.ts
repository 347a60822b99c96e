import type { CollectionConfig } from 'payload'

import { anyone, isAdmin } from '../../src/access'

/** Images for the site (the logo). Resized by sharp on upload; SVG is refused (scripts can hide in it). */
export const createMedia = ({ staticDir }: { staticDir: string }): CollectionConfig => ({
  slug: 'media',
  admin: { group: 'Site', useAsTitle: 'alt' },
  access: { read: anyone, create: isAdmin, update: isAdmin, delete: isAdmin },
  upload: {
    staticDir,
    mimeTypes: ['image/png', 'image/jpeg', 'image/webp'],
    pasteURL: false,
    imageSizes: [{ name: 'logo', height: 96, withoutEnlargement: true, formatOptions: { format: 'webp', options: { quality: 90 } } }],
    adminThumbnail: 'logo',
    focalPoint: false,
    crop: false,
  },
  fields: [{ name: 'alt', type: 'text', maxLength: 200, admin: { description: 'Describe the image for screen readers.' } }],
})
