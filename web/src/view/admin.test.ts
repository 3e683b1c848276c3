import { describe, expect, it } from 'vitest';
import type { DeviceActionName } from '../api/types';
import { adminStateClass, capacityText, deviceActions, gatewayLoad, hostingFromForm, parseCell, regionActions } from './admin';

// devices::AdminStateAfter (src/coordinator/devices/handlers.cc), ported to check the offer
// against: null where the API refuses the action.
function after(state: string, action: DeviceActionName): string | null {
  if (action === 'cordon') return state === 'active' ? 'cordoned' : state;
  if (action === 'uncordon') return state === 'banned' ? null : 'active';
  if (action === 'drain') return state === 'banned' ? state : 'drained';
  if (action === 'ban') return 'banned';
  return state === 'banned' ? 'active' : null;
}

const form = { gateway_endpoint: '198.51.100.20:51820', uplink_mbps: '500', control_nodes: '3', contact: 'ops@example.org', note: '' };

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
  it('offers exactly the device actions that change the admin state', () => {
    expect(deviceActions('active')).toEqual(['cordon', 'drain', 'ban']);
    expect(deviceActions('cordoned')).toEqual(['uncordon', 'drain', 'ban']);
    expect(deviceActions('drained')).toEqual(['uncordon', 'ban']);
    expect(deviceActions('banned')).toEqual(['unban']);
    expect(deviceActions('weird')).toEqual([]);
    const all: DeviceActionName[] = ['cordon', 'uncordon', 'drain', 'ban', 'unban'];
    for (const state of ['active', 'cordoned', 'drained', 'banned']) {
      const changing = all.filter((a) => { const n = after(state, a); return n !== null && n !== state; });
      expect(new Set(deviceActions(state))).toEqual(new Set(changing));
    }
  });
  it('colours admin states', () => {
    expect(adminStateClass('active')).toBe('badge-online');
    expect(adminStateClass('drained')).toBe('badge-warn');
    expect(adminStateClass('banned')).toBe('badge-offline');
  });
  it('checks a volunteer offer like the API', () => {
    expect(hostingFromForm(form)).toEqual({ hosting: { gateway_endpoint: '198.51.100.20:51820', uplink_mbps: 500, control_nodes: 3, contact: 'ops@example.org' } });
    expect(hostingFromForm({ ...form, note: ' rack in Nairobi ' })).toMatchObject({ hosting: { note: 'rack in Nairobi' } });
    expect(hostingFromForm({ ...form, gateway_endpoint: 'gw.example.org:51820' })).toHaveProperty('hosting');
    expect(hostingFromForm({ ...form, gateway_endpoint: '[2001:db8::1]:51820' })).toHaveProperty('hosting');
    expect(hostingFromForm({ ...form, gateway_endpoint: '198.51.100.20' })).toMatchObject({ field: 'gateway_endpoint' });
    expect(hostingFromForm({ ...form, uplink_mbps: '99' })).toMatchObject({ field: 'uplink_mbps' });
    expect(hostingFromForm({ ...form, uplink_mbps: '1.5e3' })).toHaveProperty('hosting');
    expect(hostingFromForm({ ...form, uplink_mbps: '' })).toMatchObject({ field: 'uplink_mbps' });
    expect(hostingFromForm({ ...form, control_nodes: '0' })).toMatchObject({ field: 'control_nodes' });
    expect(hostingFromForm({ ...form, control_nodes: '8' })).toMatchObject({ field: 'control_nodes' });
    expect(hostingFromForm({ ...form, contact: 'ab' })).toMatchObject({ field: 'contact' });
  });
  it('parses waitlist cells', () => {
    expect(parseCell('KE/-/-')).toEqual({ country: 'KE', lat: null, lon: null });
    expect(parseCell('KE/-2/36')).toEqual({ country: 'KE', lat: -2, lon: 36 });
    expect(parseCell('')).toEqual({ country: 'ZZ', lat: null, lon: null });
  });
});
