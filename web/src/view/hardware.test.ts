import { describe, expect, it } from 'vitest';
import type { HardwareChangeItem } from '../api/types';
import { gpuName } from './format';
import { describeHardwareChange, hardwareChangeBadge, hardwareChangeTitle, vendorName } from './hardware';

const GiB = 1024 ** 3;
const rtx3090 = { pci_address: '0000:21:00.0', vendor: 'nvidia', model: 'rtx3090', memory_size: '24Gi', vendor_id: '10de', device_id: '2204' };
const rtx3080 = { pci_address: '0000:01:00.0', vendor: 'nvidia', model: 'rtx3080', memory_size: '10Gi', vendor_id: '10de', device_id: '2206' };
const rtx4090 = { pci_address: '0000:01:00.0', vendor: 'nvidia', model: 'rtx4090', memory_size: '24Gi', vendor_id: '10de', device_id: '2684' };
// Not in the Akash database: the agent reports an empty model and no memory size.
const unknownGpu = { pci_address: '0000:0f:01.0', vendor: 'nvidia', model: '', memory_size: '', vendor_id: '10de', device_id: '2e12' };
const nvme = { name: 'nvme1n1', model: 'Samsung SSD 990 PRO 2TB', size_bytes: 2_000_398_934_016, rotational: false };

function item(over: Partial<HardwareChangeItem> & Pick<HardwareChangeItem, 'type'>): HardwareChangeItem {
  return { direction: 'upgrade', ...over };
}

describe('describeHardwareChange: GPUs', () => {
  it('names an added or removed card, its vendor and slot', () => {
    expect(describeHardwareChange(item({ type: 'gpu_added', after: rtx3090 })))
      .toBe('GPU added: NVIDIA RTX 3090 (24Gi) in slot 0000:21:00.0');
    expect(describeHardwareChange(item({ type: 'gpu_removed', direction: 'downgrade', before: rtx3090 })))
      .toBe('GPU removed: NVIDIA RTX 3090 (24Gi) in slot 0000:21:00.0');
  });
  it('shows a swap in one slot as before → after', () => {
    expect(describeHardwareChange(item({ type: 'gpu_swapped', before: rtx3080, after: rtx4090 })))
      .toBe('GPU swapped in slot 0000:01:00.0: RTX 3080 (10Gi) → RTX 4090 (24Gi)');
    const amd = { ...rtx4090, vendor: 'amd', model: 'rx7900xtx', vendor_id: '1002', device_id: '744c' };
    expect(describeHardwareChange(item({ type: 'gpu_swapped', before: rtx3080, after: amd })))
      .toBe('GPU swapped in slot 0000:01:00.0: NVIDIA RTX 3080 (10Gi) → AMD RX 7900xtx (24Gi)');
  });
  it('falls back to PCI ids for unknown models', () => {
    expect(describeHardwareChange(item({ type: 'gpu_added', after: unknownGpu })))
      .toBe('GPU added: NVIDIA 10de:2e12 in slot 0000:0f:01.0');
    expect(describeHardwareChange(item({ type: 'gpu_swapped', direction: 'change', before: unknownGpu, after: { ...unknownGpu, device_id: '2e13' } })))
      .toBe('GPU swapped in slot 0000:0f:01.0: NVIDIA 10de:2e12 → NVIDIA 10de:2e13');
    expect(describeHardwareChange(item({ type: 'gpu_removed', direction: 'downgrade', before: { model: '' } })))
      .toBe('GPU removed: unknown GPU');
  });
  it('ignores fields of the wrong type instead of throwing', () => {
    expect(describeHardwareChange(item({ type: 'gpu_added', after: { model: 42, pci_address: null } })))
      .toBe('GPU added: unknown GPU');
    expect(describeHardwareChange(item({ type: 'gpu_added' }))).toBe('GPU added: unknown GPU');
  });
});

describe('describeHardwareChange: CPU, memory and disks', () => {
  it('shows a CPU change with cores and threads', () => {
    expect(describeHardwareChange(item({
      type: 'cpu_changed',
      before: { model: 'Ryzen 7 5800X', cores: 8, threads: 16 },
      after: { model: 'Ryzen 9 7950X', cores: 16, threads: 32 },
    }))).toBe('CPU Ryzen 7 5800X (8 cores, 16 threads) → Ryzen 9 7950X (16 cores, 32 threads)');
    expect(describeHardwareChange(item({
      type: 'cpu_changed', direction: 'downgrade',
      before: { model: 'Ryzen 9 7950X', cores: 16, threads: 32 }, after: { model: '', cores: 0, threads: 0 },
    }))).toBe('CPU Ryzen 9 7950X (16 cores, 32 threads) → unknown CPU');
  });
  it('shows memory in binary units', () => {
    expect(describeHardwareChange(item({ type: 'memory_changed', before: { bytes: 32 * GiB }, after: { bytes: 64 * GiB } })))
      .toBe('Memory 32 GiB → 64 GiB');
    expect(describeHardwareChange(item({ type: 'memory_changed', direction: 'downgrade', before: { bytes: 64 * GiB }, after: {} })))
      .toBe('Memory 64 GiB → —');
  });
  it('shows disks added, removed and replaced', () => {
    expect(describeHardwareChange(item({ type: 'disk_added', after: nvme })))
      .toBe('Disk added: nvme1n1 1.8 TiB SSD (Samsung SSD 990 PRO 2TB)');
    const hdd = { name: 'sda', model: '', size_bytes: 4 * 1024 ** 4, rotational: true };
    expect(describeHardwareChange(item({ type: 'disk_removed', direction: 'downgrade', before: hdd })))
      .toBe('Disk removed: sda 4 TiB HDD');
    expect(describeHardwareChange(item({
      type: 'disk_replaced', before: { ...nvme, model: 'WD Blue SN570 1TB', size_bytes: 1024 ** 4 }, after: nvme,
    }))).toBe('Disk nvme1n1 replaced: 1 TiB SSD (WD Blue SN570 1TB) → 1.8 TiB SSD (Samsung SSD 990 PRO 2TB)');
    expect(describeHardwareChange(item({ type: 'disk_added', after: {} }))).toBe('Disk added: unknown disk');
    expect(describeHardwareChange(item({ type: 'disk_replaced', before: {}, after: {} })))
      .toBe('Disk replaced: unknown disk → unknown disk');
  });
  it('reads a type this build does not know as words', () => {
    const future = { type: 'nic_added', direction: 'upgrade' } as unknown as HardwareChangeItem;
    expect(describeHardwareChange(future)).toBe('Nic added');
  });
});

describe('hardware change events', () => {
  it('titles and badges by kind', () => {
    expect(hardwareChangeTitle('upgrade')).toBe('Hardware upgrade');
    expect(hardwareChangeTitle('downgrade')).toBe('Hardware downgrade');
    expect(hardwareChangeTitle('change')).toBe('Hardware change');
    expect(hardwareChangeBadge('upgrade')).toBe('badge-online');
    expect(hardwareChangeBadge('downgrade')).toBe('badge-warn');
    expect(hardwareChangeBadge('change')).toBe('badge-admin');
  });
  it('spells vendors as they do', () => {
    expect(vendorName('nvidia')).toBe('NVIDIA');
    expect(vendorName('AMD')).toBe('AMD');
    expect(vendorName('intel')).toBe('Intel');
    expect(vendorName('moore-threads')).toBe('moore-threads');
  });
  it('gpuName takes the identity fields alone', () => {
    expect(gpuName({ vendor: 'nvidia', vendor_id: '10de', device_id: '2e12' })).toBe('nvidia 10de:2e12');
    expect(gpuName({ model: 'rtx3090', memory_size: '24Gi' })).toBe('RTX 3090 (24Gi)');
    expect(gpuName({})).toBe('GPU');
  });
});
