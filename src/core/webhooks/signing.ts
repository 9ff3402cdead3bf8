/**
 * Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`. A `whsec_…` secret is base64 (the standard form); any other
 * secret is used as its raw UTF-8 bytes, which `new Webhook(secret, {format: 'raw'})`
 * from the standardwebhooks package verifies.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** What a webhook's sealed signing secret is bound to (its sealing's associated data). */
export const webhookSecretAad = (webhookId: string) => `webhook:${webhookId}`;

export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

export function signatureHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const mac = createHmac('sha256', signingKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${mac}`,
  };
}

export const generateSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
