import { describe, expect, it } from 'vitest';
import { capacityText, gatewayLoad, regionActions } from './admin';

describe('admin view logic', () => {
  it('describes capacity', () => {
    expect(capacityText(12, 100)).toBe('12 of 100 workers');
    expect(capacityText(1, 0)).toBe('1 worker (no limit)');
    expect(capacityText(0, 0)).toBe('0 workers (no limit)');
  });
  it('describes gateway load over the gateways that are up', () => {
    expect(gatewayLoad([])).toBe('no gateway up');
    expect(gatewayLoad([{ homed_workers: 3, state: 'up' }, { homed_workers: 4, state: 'up' }, { homed_workers: 9, state: 'down' }]))
      .toBe('3–4 workers per gateway');
    expect(gatewayLoad([{ homed_workers: 2, state: 'up' }])).toBe('2 workers per gateway');
    expect(gatewayLoad([{ homed_workers: 2, state: 'down' }])).toBe('no gateway up');
  });
  it('offers the region transitions the API allows', () => {
    expect(regionActions('active', 'eu-central')).toEqual(['drain']);
    expect(regionActions('active', 'default')).toEqual([]);
    expect(regionActions('draining', 'eu-central')).toEqual(['activate']);
    expect(regionActions('proposed', 'af-east')).toEqual(['activate']);
    expect(regionActions('bootstrapping', 'af-east')).toEqual(['activate']);
    expect(regionActions('weird', 'x')).toEqual([]);
  });
});
