import { describe, expect, it } from 'vitest';
import type { Device, InstallKey } from '../api/types';
import {
  compareDevices, cpuRamSummary, errorSentence, formatBytes, formatDuration, gpuSummary, installStep,
  isOutdated, lastHandshake, pageInfo, placementReason, prettyModel, regionText, statusLabel, timeAgo,
  timelineSegments, validateDeviceName,
} from './format';

function device(over: Partial<Device> = {}): Device {
  return {
    id: 'dev_a', name: 'a', owner_id: 'acc_a', role: 'worker', status: 'online',
    last_seen: '2026-01-01T00:00:00Z', enrolled_at: '2026-01-01T00:00:00Z',
    agent_version: '0.1.0', inventory: {}, ...over,
  };
}

function key(over: Partial<InstallKey> = {}): InstallKey {
  return {
    id: 'ik_a', hint: 'maple', status: 'active', created_at: '2026-01-01T00:00:00Z',
    expires_at: '2026-01-02T00:00:00Z', ...over,
  };
}

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(16 * 1024 ** 3)).toBe('16 GiB');
    expect(formatBytes(128 * 1024 ** 3)).toBe('128 GiB');
  });
  it('shows a dash for missing or bad values', () => {
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatDuration and timeAgo', () => {
  it('picks the two largest units', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3600 + 12 * 60)).toBe('1 h 12 min');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
    expect(formatDuration(undefined)).toBe('—');
  });
  it('is relative to now', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    expect(timeAgo('2026-01-01T00:59:57Z', now)).toBe('just now');
    expect(timeAgo('2026-01-01T00:59:50Z', now)).toBe('10 s ago');
    expect(timeAgo('2026-01-01T00:55:00Z', now)).toBe('5 min ago');
    expect(timeAgo('2025-12-30T01:00:00Z', now)).toBe('2 d ago');
    expect(timeAgo('garbage', now)).toBe('—');
  });
});

describe('devices', () => {
  it('labels statuses, known and new', () => {
    expect(statusLabel('online')).toBe('Online');
    expect(statusLabel('draining')).toBe('Draining');
  });
  it('groups GPUs by model', () => {
    expect(gpuSummary(undefined)).toBe('none');
    expect(gpuSummary([
      { model: 'rtx3090', memory_size: '24Gi' }, { model: 'rtx3090', memory_size: '24Gi' },
    ])).toBe('2× RTX 3090 (24Gi)');
    expect(gpuSummary([{ vendor: 'nvidia', device_id: '2684' }])).toBe('nvidia 2684');
    expect(prettyModel('a100')).toBe('A100');
    expect(prettyModel('gb10')).toBe('GB 10');
  });
  it('summarises CPU and RAM', () => {
    expect(cpuRamSummary(device({ inventory: { cpu_threads: 16, memory_bytes: 32 * 1024 ** 3 } })))
      .toBe('16 threads · 32 GiB');
    expect(cpuRamSummary(device())).toBe('—');
  });
  it('flags agents older than the coordinator', () => {
    expect(isOutdated('0.1.0', '0.2.0')).toBe(true);
    expect(isOutdated('0.2.0', '0.2.0')).toBe(false);
    expect(isOutdated('1.0.0', '0.9.9')).toBe(false);
    expect(isOutdated('dev', '0.2.0')).toBe(false);
    expect(isOutdated('0.1.0', undefined)).toBe(false);
  });
  it('sorts online first, then by name', () => {
    const list = [device({ name: 'b', status: 'offline' }), device({ name: 'z' }), device({ name: 'c' })];
    expect(list.sort(compareDevices).map((d) => d.name)).toEqual(['c', 'z', 'b']);
  });
  it('validates names like the API', () => {
    expect(validateDeviceName('  ')).toBe('Enter a name.');
    expect(validateDeviceName('x'.repeat(65))).toBe('Use at most 64 characters.');
    expect(validateDeviceName('gaming-pc')).toBeNull();
  });
});

describe('installStep', () => {
  it('walks waiting → enrolled → online', () => {
    expect(installStep(undefined, undefined)).toBe('waiting');
    expect(installStep(key(), undefined)).toBe('waiting');
    expect(installStep(key({ status: 'used', used_by: 'dev_a' }), undefined)).toBe('enrolled');
    expect(installStep(key({ status: 'used', used_by: 'dev_a' }), device())).toBe('enrolled');
    expect(installStep(key({ status: 'used', used_by: 'dev_a' }),
      device({ heartbeat: { uptime_seconds: 5 } }))).toBe('online');
  });
  it('reports expired and revoked keys', () => {
    expect(installStep(key({ status: 'expired' }), undefined)).toBe('expired');
    expect(installStep(key({ status: 'revoked' }), undefined)).toBe('revoked');
  });
});

describe('pageInfo', () => {
  it('clamps and computes ranges', () => {
    expect(pageInfo(0, 1, 50)).toEqual({ pages: 1, current: 1, offset: 0, first: 0, last: 0 });
    expect(pageInfo(10000, 3, 50)).toEqual({ pages: 200, current: 3, offset: 100, first: 101, last: 150 });
    expect(pageInfo(120, 9, 50)).toEqual({ pages: 3, current: 3, offset: 100, first: 101, last: 120 });
  });
});

describe('errorSentence', () => {
  it('names the field when the message continues it', () => {
    expect(errorSentence('must be at least 10 characters long', 'password'))
      .toBe('Password must be at least 10 characters long');
    expect(errorSentence('is required', 'install_key')).toBe('Install key is required');
    expect(errorSentence('is required', 'inventory.gpus[0].vendor_id')).toBe('inventory.gpus[0].vendor_id is required');
    expect(errorSentence('The session expired; sign in again', 'x')).toBe('The session expired; sign in again');
    expect(errorSentence('plain', undefined)).toBe('plain');
  });
});

describe('device placement and network text', () => {
  it('names the region or what the device waits for', () => {
    expect(regionText(device({ network: { region: 'eu-central' } }))).toBe('eu-central');
    expect(regionText(device({ placement: { region: 'af-east' } }))).toBe('af-east');
    expect(regionText(device({ placement: { region: null, waitlist_cell: 'KE/-/-' } }), () => 'Kenya')).toBe('waiting (Kenya)');
    expect(regionText(device({ network: { region: '' } }))).toBe('not placed yet');
  });
  it('explains placement reasons', () => {
    expect(placementReason('rtt')).toBe('lowest measured round-trip time');
    expect(placementReason('no_capacity')).toBe('nearby regions are full');
    expect(placementReason('some_new_reason')).toBe('some new reason');
    expect(placementReason(undefined)).toBe('—');
  });
  it('finds the freshest handshake', () => {
    expect(lastHandshake(device())).toBeUndefined();
    const never = { public_key: 'b', last_handshake_seconds_ago: null };
    const peers = [{ public_key: 'a', last_handshake_seconds_ago: 40 }, never, { public_key: 'c', last_handshake_seconds_ago: 12 }];
    expect(lastHandshake(device({ heartbeat: { network: { applied_version: 1, peers } } }))).toBe(12);
    expect(lastHandshake(device({ heartbeat: { network: { applied_version: 1, peers: [never] } } }))).toBeUndefined();
  });
});

describe('timelineSegments', () => {
  const from = '2026-11-01T00:00:00Z';
  const to = '2026-11-02T00:00:00Z';
  it('places intervals as fractions and merges touching ones', () => {
    expect(timelineSegments([
      { start: '2026-11-01T06:00:00Z', end: '2026-11-01T12:00:00Z' },
      { start: '2026-11-01T12:00:00Z', end: '2026-11-01T18:00:00Z' },
      { start: '2026-11-01T21:00:00Z', end: '2026-11-02T03:00:00Z' },
    ], from, to)).toEqual([{ start: 0.25, end: 0.75 }, { start: 0.875, end: 1 }]);
  });
  it('drops empty and outside intervals and bad windows', () => {
    expect(timelineSegments([{ start: '2026-10-01T00:00:00Z', end: '2026-10-02T00:00:00Z' },
      { start: '2026-11-01T06:00:00Z', end: '2026-11-01T06:00:00Z' }], from, to)).toEqual([]);
    expect(timelineSegments([{ start: from, end: to }], to, from)).toEqual([]);
  });
});
