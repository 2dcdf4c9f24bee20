// The pause before each new attempt of a webhook batch, pure: exponential from the first pause, capped (FindFace:
// "interval between attempts increases exponentially with a maximum of 100 seconds"; its log shows 0.729 s, 1.968 s,
// 5.314 s after attempts 1, 2 and 3). No jitter: each webhook has its own queue, so retries of different
// webhooks never line up against one receiver.
import type { WebhookDeliveryConfig } from './config.ts';

export type RetryPolicy = Pick<WebhookDeliveryConfig, 'retry_initial_delay_ms' | 'retry_multiplier' | 'retry_max_delay_ms'>;

/** ms to wait after failed attempt `attempt` (1-based) before the next one */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number {
  const delay = policy.retry_initial_delay_ms * policy.retry_multiplier ** Math.max(0, attempt - 1);
  return Math.round(Math.min(policy.retry_max_delay_ms, delay));
}
