// Pure view logic: how devices, sizes, times and versions are shown. No DOM, no fetches, so
// Vitest covers it directly (format.test.ts).
import type { Device, Gpu, InstallKey } from '../api/types';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 17179869184 → "16 GiB"; one decimal below 10 of a unit. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = v < 10 && i > 0 && Math.round(v) !== v ? 1 : 0;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

/** Seconds → "3 d 4 h", "5 h 12 min", "42 s". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** An RFC 3339 time relative to `now` (ms): "just now", "5 min ago", "3 h ago", "2 d ago". */
export function timeAgo(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export const STATUS_LABEL: Record<string, string> = {
  online: 'Online',
  stale: 'Stale',
  offline: 'Offline',
  waitlisted: 'Waitlisted',
};

/** "Online", or a readable fallback for statuses this build does not know yet. */
export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

/** GPUs grouped by model: "2× RTX 3090 (24Gi)"; "none" without GPUs. */
export function gpuSummary(gpus: readonly Gpu[] | undefined): string {
  if (!gpus || gpus.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const g of gpus) {
    const name = gpuName(g);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${n}× ${name}` : name)).join(', ');
}

/** The GPU fields that name a card: an inventory GPU or a hardware change's before/after. */
export type GpuIdentity = Pick<Gpu, 'vendor' | 'vendor_id' | 'device_id' | 'model' | 'memory_size'>;

/**
 * One GPU's display name: "RTX 4090 (24Gi)"; without a model (not in the Akash database) the
 * vendor and PCI ids: "nvidia 10de:2e12".
 */
export function gpuName(g: GpuIdentity): string {
  const ids = g.vendor_id && g.device_id ? `${g.vendor_id}:${g.device_id}` : (g.device_id ?? '');
  const model = g.model ? prettyModel(g.model) : `${g.vendor || 'GPU'} ${ids}`.trim();
  return g.memory_size ? `${model} (${g.memory_size})` : model;
}

/** Akash model ids ("rtx4090", "a100") shown as people write them ("RTX 4090", "A100"). */
export function prettyModel(model: string): string {
  const m = /^([a-z]+)(\d.*)$/i.exec(model);
  if (!m || !m[1] || !m[2]) return model.toUpperCase();
  const prefix = m[1].toUpperCase();
  return prefix.length >= 2 && prefix !== 'A' && prefix !== 'H' ? `${prefix} ${m[2]}` : prefix + m[2];
}

/** "8 cores · 32 GiB" from the inventory. */
export function cpuRamSummary(d: Device): string {
  const inv = d.inventory;
  const cores = inv.cpu_threads ?? inv.cpu_cores;
  const parts: string[] = [];
  if (cores) parts.push(`${cores} ${inv.cpu_threads ? 'threads' : 'cores'}`);
  if (inv.memory_bytes) parts.push(formatBytes(inv.memory_bytes));
  return parts.length ? parts.join(' · ') : '—';
}

function parseVersion(v: string): number[] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Whether an agent's version is older than the coordinator's (unparseable: not flagged). */
export function isOutdated(agent: string, current: string | undefined): boolean {
  if (!current) return false;
  const a = parseVersion(agent);
  const c = parseVersion(current);
  if (!a || !c) return false;
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (c[i] ?? 0)) return (a[i] ?? 0) < (c[i] ?? 0);
  }
  return false;
}

/** The heartbeat's host uptime in seconds, when the device has sent one. */
export function uptimeSeconds(d: Device): number | undefined {
  return d.heartbeat?.uptime_seconds;
}

/** Sort order for lists: online first, then stale, offline; by name within a status. */
export function compareDevices(a: Device, b: Device): number {
  const rank: Record<string, number> = { online: 0, stale: 1, waitlisted: 2, offline: 3 };
  const ra = rank[a.status] ?? 9;
  const rb = rank[b.status] ?? 9;
  return ra !== rb ? ra - rb : a.name.localeCompare(b.name);
}

export type InstallStep = 'waiting' | 'enrolled' | 'online' | 'expired' | 'revoked';

/**
 * Where an "Add device" flow stands: the install key (polled) says whether a device has
 * enrolled with it; that device's first heartbeat makes it online.
 */
export function installStep(key: InstallKey | undefined, device: Device | undefined): InstallStep {
  if (!key) return 'waiting';
  if (key.status === 'expired') return 'expired';
  if (key.status === 'revoked') return 'revoked';
  if (key.status !== 'used' || !key.used_by) return 'waiting';
  if (device && device.status === 'online' && uptimeSeconds(device) !== undefined) return 'online';
  return 'enrolled';
}

/** Page arithmetic for paginated tables: clamps the page, returns offset and page count. */
export function pageInfo(total: number, page: number, pageSize: number) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, page), pages);
  const first = total === 0 ? 0 : (current - 1) * pageSize + 1;
  const last = Math.min(total, current * pageSize);
  return { pages, current, offset: (current - 1) * pageSize, first, last };
}

/** The device name the rename form accepts (trimmed, 1..64 characters), or an error message. */
export function validateDeviceName(name: string): string | null {
  const t = name.trim();
  if (t.length === 0) return 'Enter a name.';
  if (t.length > 64) return 'Use at most 64 characters.';
  return null;
}

/**
 * An API error as a sentence: messages that continue their field's name ("must be at least
 * 10 characters long") get it in front ("Password must be at least 10 characters long").
 */
export function errorSentence(message: string, field?: string): string {
  if (!field || !/^[a-z]/.test(message)) return message;
  const name = /^[a-z_]+$/.test(field) ? field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, ' ') : field;
  return `${name} ${message}`;
}

/** The region a device is in, or what it waits for: "eu-central", "waiting (Kenya)", "not placed". */
export function regionText(d: Device, countryName: (code: string) => string = (c) => c): string {
  const region = d.network?.region || d.placement?.region;
  if (region) return region;
  const cell = d.placement?.waitlist_cell;
  if (cell) return `waiting (${countryName(cell.split('/')[0] ?? '')})`;
  return 'not placed yet';
}

const PLACEMENT_REASON: Record<string, string> = {
  rtt: 'lowest measured round-trip time',
  geoip_location: 'nearest by GeoIP location',
  geoip_country: 'GeoIP country served by the region',
  declared_country: 'declared country served by the region',
  single_region: 'the only region',
  pending: 'not decided yet',
  out_of_bound: 'no region close enough',
  no_capacity: 'nearby regions are full',
  hardware_not_accepted: 'nearby regions do not take this hardware',
  no_region_serves: 'no region serves its country',
  no_evidence: 'no location evidence',
  no_active_region: 'no region is active',
};

/** A placement reason as words ("lowest measured round-trip time"). */
export function placementReason(reason: string | undefined): string {
  if (!reason) return '—';
  return PLACEMENT_REASON[reason] ?? reason.replace(/_/g, ' ');
}

/** The freshest WireGuard handshake the agent reported, in seconds ago (undefined: none yet). */
export function lastHandshake(d: Device): number | undefined {
  const ages = (d.heartbeat?.network?.peers ?? [])
    .map((p) => p.last_handshake_seconds_ago)
    .filter((a): a is number => typeof a === 'number');
  return ages.length ? Math.min(...ages) : undefined;
}

export interface TimelineSegment {
  /** Fractions of the window, 0..1. */
  start: number;
  end: number;
}

/** Uptime intervals as fractions of [from, to), merged when they touch, empty ones dropped. */
export function timelineSegments(intervals: readonly { start: string; end: string }[], from: string, to: string): TimelineSegment[] {
  const f = Date.parse(from);
  const t = Date.parse(to);
  if (!(t > f)) return [];
  const out: TimelineSegment[] = [];
  for (const i of intervals) {
    const a = Math.max(0, (Date.parse(i.start) - f) / (t - f));
    const b = Math.min(1, (Date.parse(i.end) - f) / (t - f));
    if (!(b > a)) continue;
    const last = out[out.length - 1];
    if (last && a <= last.end) last.end = Math.max(last.end, b);
    else out.push({ start: a, end: b });
  }
  return out;
}
