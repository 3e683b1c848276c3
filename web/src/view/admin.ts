// Pure view logic of the admin pages: capacity and load texts, which actions a region or a
// device offers in its state, and epoch summaries.
import type { Gateway } from '../api/types';

/** "12 of 100 workers" or "12 workers (no limit)". */
export function capacityText(devices: number, max: number): string {
  return max > 0 ? `${devices} of ${max} workers` : `${devices} worker${devices === 1 ? '' : 's'} (no limit)`;
}

/** How evenly a region's gateways carry its workers: "3–4 workers per gateway". */
export function gatewayLoad(gateways: readonly Pick<Gateway, 'homed_workers' | 'state'>[]): string {
  const up = gateways.filter((g) => g.state === 'up').map((g) => g.homed_workers ?? 0);
  if (up.length === 0) return 'no gateway up';
  const lo = Math.min(...up);
  const hi = Math.max(...up);
  return lo === hi ? `${lo} workers per gateway` : `${lo}–${hi} workers per gateway`;
}

/** The status changes an admin can make: active → drain; draining/proposed/bootstrapping → activate. */
export function regionActions(status: string, id: string): ('drain' | 'activate')[] {
  if (status === 'active') return id === 'default' ? [] : ['drain'];
  if (status === 'draining' || status === 'proposed' || status === 'bootstrapping') return ['activate'];
  return [];
}
