import { describe, expect, it } from 'vitest';
import type { MapCell, MapRegion } from '../api/types';
import { COUNTRIES } from './countries';
import {
  cellName, cellPoint, cellSummary, gpuModelsText, markerRadius, regionSummary, sortCells, waitingText,
} from './map';

function cell(over: Partial<MapCell> = {}): MapCell {
  return {
    cell: 'DE/52/13', country: 'DE', lat: 52, lon: 13, devices: 3, online: 2, gpus: 0, mine: 0,
    waitlisted: 0, waitlisted_gpus: 0, gpu_models: {}, ...over,
  };
}

function region(over: Partial<MapRegion> = {}): MapRegion {
  return {
    id: 'eu-berlin', name: 'Berlin', status: 'active', location_region: 'eu-central', hardware_policy: 'mixed',
    lat: 52.52, lon: 13.4, countries: ['DE'], max_workers: 0, devices: 12, online: 10, gpus: 0, mine: 0, ...over,
  };
}

describe('cellPoint', () => {
  it('puts a grid cell at the centre of its square', () => {
    expect(cellPoint(cell())).toEqual([13.5, 52.5]);
    expect(cellPoint(cell({ lat: -23, lon: -44 }))).toEqual([-43.5, -22.5]);
    expect(cellPoint(cell({ lat: 0, lon: 0 }))).toEqual([0.5, 0.5]);
  });
  it('puts a country-only cell at the country', () => {
    expect(cellPoint(cell({ cell: 'KE/-/-', country: 'KE', lat: null, lon: null }))).toEqual([37.8, 0.6]);
  });
  it('has no place for unknown countries', () => {
    expect(cellPoint(cell({ country: 'ZZ', lat: null, lon: null }))).toBeNull();
    expect(cellPoint(cell({ country: 'YT', lat: null, lon: null }))).toBeNull(); // no shape in the atlas
  });
});

describe('countries table', () => {
  it('covers ISO 3166-1 with numeric codes and sane label points', () => {
    expect(Object.keys(COUNTRIES).length).toBe(249);
    expect(COUNTRIES.DE?.[0]).toBe('276');
    for (const [code, [numeric, name, lat, lon]] of Object.entries(COUNTRIES)) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(numeric).toMatch(/^\d{3}$/);
      expect(name.length).toBeGreaterThan(1);
      if (Number.isFinite(lat)) {
        expect(Math.abs(lat)).toBeLessThanOrEqual(90);
        expect(Math.abs(lon)).toBeLessThanOrEqual(180);
      }
    }
  });
});

describe('cell text', () => {
  it('names squares by country and degrees', () => {
    expect(cellName(cell())).toBe('Germany · 52°N 13°E');
    expect(cellName(cell({ country: 'BR', lat: -23, lon: -44 }))).toBe('Brazil · 23°S 44°W');
    expect(cellName(cell({ country: 'KE', lat: null, lon: null }))).toBe('Kenya');
    expect(cellName(cell({ country: 'ZZ', lat: null, lon: null }))).toBe('Unknown country');
  });
  it('says how many wait', () => {
    expect(waitingText(12)).toBe('12 devices waiting here');
    expect(waitingText(1)).toBe('1 device waiting here');
    expect(waitingText(0)).toBe('');
  });
  it('lists GPU models by units', () => {
    expect(gpuModelsText({ a100: 1, rtx4090: 2 })).toBe('2× RTX 4090, A100');
    expect(gpuModelsText({ unknown: 1 })).toBe('unknown model');
    expect(gpuModelsText(undefined)).toBe('');
  });
  it('summarises a cell in one sentence', () => {
    expect(cellSummary(cell({ mine: 1, gpus: 3, gpu_models: { rtx4090: 2, a100: 1 } }))).toBe(
      'Germany · 52°N 13°E: 3 devices, 1 yours, 2 online, 3 GPUs (2× RTX 4090, A100).');
    expect(cellSummary(cell({ cell: 'KE/-/-', country: 'KE', lat: null, lon: null, devices: 12, online: 0, waitlisted: 12 })))
      .toBe('Kenya: 12 devices, 0 online, 12 devices waiting here.');
  });
  it('summarises a region', () => {
    expect(regionSummary(region())).toBe('Active · 12 devices (10 online)');
    expect(regionSummary(region({ status: 'draining', gpus: 4, max_workers: 100 })))
      .toBe('Draining · 12 devices (10 online) · 4 GPUs · room for 88');
    expect(regionSummary(region({ max_workers: 5 }))).toBe('Active · 12 devices (10 online) · room for 0');
  });
});

describe('markerRadius', () => {
  it('grows with the square root of the count within bounds', () => {
    expect(markerRadius(0, 10)).toBe(0);
    expect(markerRadius(10, 10)).toBe(16);
    expect(markerRadius(1, 1)).toBe(16);
    expect(markerRadius(25, 100)).toBeCloseTo(3 + 13 * 0.5);
    expect(markerRadius(500, 100)).toBe(16);
    expect(markerRadius(1, 10000)).toBeGreaterThanOrEqual(3);
  });
});

describe('sortCells', () => {
  it('lists the caller\'s cells first, then the largest', () => {
    const sorted = sortCells([cell({ cell: 'a', devices: 1 }), cell({ cell: 'b', devices: 9 }),
      cell({ cell: 'c', devices: 2, mine: 1 }), cell({ cell: 'd', devices: 9 })]);
    expect(sorted.map((c) => c.cell)).toEqual(['c', 'b', 'd', 'a']);
  });
});
