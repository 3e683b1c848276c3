// Pure view logic of the admin pages: capacity and load texts, which actions a region or a
// device offers in its state, and epoch summaries.
import type { AdminState, DeviceActionName, Gateway, HostingDetails, KubeState } from '../api/types';

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

/**
 * The device actions that change `state`, mirroring devices::AdminStateAfter: cordon only from
 * active (it keeps a stricter state), drain unless drained or banned, uncordon from cordoned or
 * drained, ban unless banned, and a ban is lifted only by unban.
 */
export function deviceActions(state: string): DeviceActionName[] {
  switch (state) {
    case 'active': return ['cordon', 'drain', 'ban'];
    case 'cordoned': return ['uncordon', 'drain', 'ban'];
    case 'drained': return ['uncordon', 'ban'];
    case 'banned': return ['unban'];
    default: return [];
  }
}

/** What each action does, for its button and its confirmation. */
export const DEVICE_ACTION_TEXT: Record<DeviceActionName, { verb: string; effect: string }> = {
  cordon: { verb: 'Cordon', effect: 'No new workloads are scheduled on it; running ones stay.' },
  uncordon: { verb: 'Uncordon', effect: 'It takes new workloads again.' },
  drain: { verb: 'Drain', effect: 'It is cordoned and its running workloads are evicted (for maintenance).' },
  ban: {
    verb: 'Ban',
    effect: 'It is drained, its Kubernetes node is deleted and its join token revoked; the device can no longer ' +
      'heartbeat and earns nothing until the ban is lifted.',
  },
  unban: { verb: 'Unban', effect: 'The ban is lifted: the device may heartbeat and rejoin, and takes workloads again.' },
};

export const ADMIN_STATE_TEXT: Record<AdminState, string> = {
  active: 'active',
  cordoned: 'cordoned (no new workloads)',
  drained: 'drained (workloads evicted)',
  banned: 'banned',
};

/** A badge class for an admin state: active is fine, cordoned/drained a warning, banned bad. */
export function adminStateClass(state: string): string {
  return state === 'active' ? 'badge-online' : state === 'banned' ? 'badge-offline' : 'badge-warn';
}

export const KUBE_STATE_TEXT: Record<KubeState, string> = {
  none: 'not joined',
  ready: 'Ready',
  notready: 'NotReady',
  missing: 'node missing',
};

export function kubeStateClass(state: string): string {
  return state === 'ready' ? 'badge-online' : state === 'none' ? 'badge-admin' : 'badge-offline';
}

/** The form fields of a volunteer's offer, as typed. */
export interface HostingForm {
  gateway_endpoint: string;
  uplink_mbps: string;
  control_nodes: string;
  contact: string;
  note: string;
}

/**
 * The offer to send, or the first field the browser can already tell is wrong (the same rules
 * as api::DecodeHostingDetails; the coordinator checks again and its message wins).
 */
export function hostingFromForm(f: HostingForm): { hosting: HostingDetails } | { field: keyof HostingForm; message: string } {
  const endpoint = f.gateway_endpoint.trim();
  if (!/^[^\s:]+:\d{1,5}$/.test(endpoint) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(endpoint)) {
    return { field: 'gateway_endpoint', message: 'Gateway endpoint must be host:port, e.g. 203.0.113.5:51820.' };
  }
  const uplink = Number(f.uplink_mbps);
  if (!Number.isInteger(uplink) || uplink < 100) {
    return { field: 'uplink_mbps', message: 'Uplink must be a whole number of at least 100 Mbit/s.' };
  }
  const nodes = Number(f.control_nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 7) {
    return { field: 'control_nodes', message: 'Control nodes must be from 1 to 7.' };
  }
  const contact = f.contact.trim();
  if (contact.length < 3 || contact.length > 200) {
    return { field: 'contact', message: 'Say how admins reach you (3 to 200 characters).' };
  }
  const note = f.note.trim();
  return {
    hosting: { gateway_endpoint: endpoint, uplink_mbps: uplink, control_nodes: nodes, contact, ...(note ? { note } : {}) },
  };
}

/** "KE/-/-" → { country: "KE" }, "KE/-1/36" → with the whole-degree square's south-west corner. */
export function parseCell(cell: string): { country: string; lat: number | null; lon: number | null } {
  const [c, lat = '-', lon = '-'] = cell.split('/');
  const country = c || 'ZZ';
  const n = (s: string) => (s === '-' || s === '' || !Number.isFinite(Number(s)) ? null : Number(s));
  return { country, lat: n(lat), lon: n(lon) };
}
