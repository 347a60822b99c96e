import { createHmac } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'

import { RefusedAddressError, resolveAllowed } from './addresses'

export interface DeliveryRequest {
  url: URL
  /** The same for every attempt of one delivery: receivers drop repeats with it. */
  deliveryId: string
  event: string
  body: string
  secret: string
  allowPrivateAddresses: boolean
  timeoutMs: number
  signal?: AbortSignal
}

export type DeliveryResult =
  | { outcome: 'delivered'; status: number }
  /** Worth trying again later: a network error, a timeout, 408, 429 or a 5xx. */
  | { outcome: 'retry'; status?: number; error: string }
  /** Trying again cannot help: a refused address, or any other 4xx. */
  | { outcome: 'refused'; status?: number; error: string }

export const signatureOf = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

/**
 * One POST of a signed JSON body. Redirects are not followed (a 3xx is refused: the receiver's URL
 * is what the admin configured), the answer body is not read beyond 64 KiB.
 */
export const deliver = async (request: DeliveryRequest): Promise<DeliveryResult> => {
  let pinned: { address: string; family: 4 | 6 }
  try {
    pinned = await resolveAllowed(request.url.hostname, request.allowPrivateAddresses)
  } catch (error) {
    if (error instanceof RefusedAddressError) return { outcome: 'refused', error: error.message }
    return { outcome: 'retry', error: `${request.url.hostname} could not be resolved: ${(error as Error).message}` }
  }
  const client = request.url.protocol === 'https:' ? https : http
  return new Promise<DeliveryResult>((resolve) => {
    const outgoing = client.request(
      request.url,
      {
        method: 'POST',
        // The connection goes to the address checked above, whatever DNS says now.
        lookup: (_host, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [pinned])
          else callback(null, pinned.address, pinned.family)
        },
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(request.body),
          'User-Agent': 'Shrutik-Webhooks/1',
          'X-Shrutik-Event': request.event,
          'X-Shrutik-Delivery': request.deliveryId,
          'X-Shrutik-Signature': signatureOf(request.secret, request.body),
        },
        timeout: request.timeoutMs,
        signal: request.signal,
      },
      (response) => {
        let read = 0
        response.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > 64 * 1024) response.destroy()
        })
        response.on('error', () => undefined)
        response.resume()
        const status = response.statusCode ?? 0
        if (status >= 200 && status < 300) resolve({ outcome: 'delivered', status })
        else if (status === 408 || status === 429 || status >= 500) resolve({ outcome: 'retry', status, error: `the receiver answered ${status}` })
        else resolve({ outcome: 'refused', status, error: `the receiver answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}` })
      },
    )
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`)))
    outgoing.on('error', (error) => resolve({ outcome: 'retry', error: error.message }))
    outgoing.end(request.body)
  })
}
