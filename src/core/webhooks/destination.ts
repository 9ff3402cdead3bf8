/**
 * Where a webhook may point. A destination that resolves to a loopback, private,
 * link-local or otherwise non-public address (core/shared/ip-class.ts) is refused (SSRF)
 * unless the operator sets TASKLANE_WEBHOOK_ALLOW_PRIVATE or lists its network in
 * TASKLANE_WEBHOOK_ALLOW_NETWORKS. Checked when the webhook is saved; each delivery
 * resolves the host again, checks, and connects to the checked address only
 * (core/shared/net-guard.ts), so a DNS answer that changes later cannot redirect it.
 */
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import {
  checkTarget,
  DestinationRefused,
  HostUnresolved,
  type NetPolicy,
} from '../shared/net-guard.ts';

/** The webhook policy from config, with the runtime's resolver. */
export function webhookPolicy(ctx: Ctx): NetPolicy {
  const { allowPrivate, allowNetworks } = ctx.config.webhooks;
  return { allowPrivate, allowNetworks, resolve: ctx.runtime.resolver };
}

/** Parses and vets a destination URL when a webhook is saved; throws a validation error naming the problem. */
export async function checkDestination(ctx: Ctx, url: string): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused('url must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw refused('url must use http or https');
  if (parsed.username || parsed.password) throw refused('url must not carry credentials');
  const policy = webhookPolicy(ctx);
  // Not resolved at all when private destinations are allowed (nothing to check).
  if (policy.allowPrivate) return parsed;
  try {
    await checkTarget(parsed, policy);
  } catch (error) {
    if (error instanceof HostUnresolved) throw refused(`url ${error.message}`);
    if (!(error instanceof DestinationRefused)) throw error;
    throw refused(
      `url points to a non-public address (${error.message}); set TASKLANE_WEBHOOK_ALLOW_PRIVATE=true or TASKLANE_WEBHOOK_ALLOW_NETWORKS to allow it`,
    );
  }
  return parsed;
}

function refused(message: string): DomainError {
  return new DomainError('validation', message, { field: 'url' }, [
    { location: ['body', 'url'], message, type: 'value_error.url' },
  ]);
}
