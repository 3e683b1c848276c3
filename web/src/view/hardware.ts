// Pure view logic for hardware change events (Device.hardware_changes): each change item as one
// line of text and each event's title. The API types before/after as open objects, so fields
// are read defensively: a missing or mistyped field shows as unknown, never throws.
import type { HardwareChangeItem, HardwareChangeKind } from '../api/types';
import { formatBytes, gpuName, type GpuIdentity } from './format';

type Fields = HardwareChangeItem['before'];

function str(f: Fields, key: string): string | undefined {
  const v = f?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(f: Fields, key: string): number | undefined {
  const v = f?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const VENDOR: Record<string, string> = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel' };

/** "nvidia" → "NVIDIA"; other vendors as reported. */
export function vendorName(vendor: string): string {
  return VENDOR[vendor.toLowerCase()] ?? vendor;
}

function gpu(f: Fields): GpuIdentity {
  return {
    vendor: str(f, 'vendor'), vendor_id: str(f, 'vendor_id'), device_id: str(f, 'device_id'),
    model: str(f, 'model'), memory_size: str(f, 'memory_size'),
  };
}

/** "NVIDIA RTX 3090 (24Gi)": the vendor in front of a known model (gpuName shows it otherwise). */
function gpuText(f: Fields, withVendor = true): string {
  const g = gpu(f);
  if (!g.model && !g.device_id) return 'unknown GPU';
  const vendor = g.vendor ? vendorName(g.vendor) : undefined;
  return withVendor && g.model && vendor ? `${vendor} ${gpuName(g)}` : gpuName({ ...g, vendor });
}

function slot(f: Fields): string {
  const s = str(f, 'pci_address');
  return s ? ` in slot ${s}` : '';
}

/** "Ryzen 9 7950X (16 cores, 32 threads)". */
function cpuText(f: Fields): string {
  const model = str(f, 'model') ?? 'unknown CPU';
  const cores = num(f, 'cores');
  const threads = num(f, 'threads');
  const parts: string[] = [];
  if (cores) parts.push(`${cores} cores`);
  if (threads) parts.push(`${threads} threads`);
  return parts.length ? `${model} (${parts.join(', ')})` : model;
}

/** "nvme1n1 1.8 TiB SSD (Samsung SSD 990 PRO 2TB)". */
function diskText(f: Fields, withName = true): string {
  const size = num(f, 'size_bytes');
  const rotational = f?.['rotational'];
  const model = str(f, 'model');
  const parts = [withName ? (str(f, 'name') ?? 'unknown disk') : '', size !== undefined ? formatBytes(size) : '',
    rotational === true ? 'HDD' : rotational === false ? 'SSD' : ''].filter(Boolean);
  const text = parts.join(' ') || 'unknown disk';
  return model ? `${text} (${model})` : text;
}

/** One change as a line: "GPU added: NVIDIA RTX 3090 (24Gi) in slot 0000:21:00.0", "Memory 32 GiB → 64 GiB". */
export function describeHardwareChange(item: HardwareChangeItem): string {
  const { before, after } = item;
  // A type this build does not know yet (the coordinator may add some) still reads as words.
  const type: string = item.type;
  switch (type) {
    case 'gpu_added':
      return `GPU added: ${gpuText(after)}${slot(after)}`;
    case 'gpu_removed':
      return `GPU removed: ${gpuText(before)}${slot(before)}`;
    case 'gpu_swapped': {
      // The vendor only when it changed: "RTX 3080 → RTX 4090", "NVIDIA RTX 3080 → AMD RX 7900".
      const vendors = str(before, 'vendor') !== str(after, 'vendor');
      return `GPU swapped${slot(after ?? before)}: ${gpuText(before, vendors)} → ${gpuText(after, vendors)}`;
    }
    case 'cpu_changed':
      return `CPU ${cpuText(before)} → ${cpuText(after)}`;
    case 'memory_changed':
      return `Memory ${formatBytes(num(before, 'bytes'))} → ${formatBytes(num(after, 'bytes'))}`;
    case 'disk_added':
      return `Disk added: ${diskText(after)}`;
    case 'disk_removed':
      return `Disk removed: ${diskText(before)}`;
    case 'disk_replaced': {
      const name = str(after, 'name') ?? str(before, 'name');
      return `Disk ${name ? `${name} ` : ''}replaced: ${diskText(before, false)} → ${diskText(after, false)}`;
    }
    default: {
      const words = type.replace(/_/g, ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}

/** An event's title from its kind: "Hardware upgrade", "Hardware downgrade", "Hardware change". */
export function hardwareChangeTitle(kind: HardwareChangeKind | undefined): string {
  switch (kind) {
    case 'upgrade':
      return 'Hardware upgrade';
    case 'downgrade':
      return 'Hardware downgrade';
    default:
      return 'Hardware change';
  }
}

/** The badge class for an event's kind: upgrades look like "online", downgrades like a warning. */
export function hardwareChangeBadge(kind: HardwareChangeKind | undefined): string {
  return kind === 'upgrade' ? 'badge-online' : kind === 'downgrade' ? 'badge-warn' : 'badge-admin';
}
