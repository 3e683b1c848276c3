// Pure view logic of the network map: where a cell is drawn, how big, and what it says. The
// API gives whole-degree cells (or a country alone), never a device's position, so everything
// drawn here is at cell precision.
import type { MapCell, MapRegion } from '../api/types';
import { COUNTRIES } from './countries';
import { prettyModel } from './format';

/** [longitude, latitude] of a cell's marker: the square's centre, or the country's label point. */
export function cellPoint(c: Pick<MapCell, 'country' | 'lat' | 'lon'>): [number, number] | null {
  if (c.lat !== null && c.lat !== undefined && c.lon !== null && c.lon !== undefined) {
    return [c.lon + 0.5, c.lat + 0.5];
  }
  const entry = COUNTRIES[c.country];
  if (!entry || !Number.isFinite(entry[2]) || !Number.isFinite(entry[3])) return null;
  return [entry[3], entry[2]];
}

export function countryName(code: string): string {
  if (code === 'ZZ') return 'Unknown country';
  return COUNTRIES[code]?.[1] ?? code;
}

function deg(v: number, pos: string, neg: string): string {
  return v >= 0 ? `${v}°${pos}` : `${-v}°${neg}`;
}

/** "Germany · 52°N 13°E" for a grid square, "Kenya" for a country-only cell. */
export function cellName(c: Pick<MapCell, 'country' | 'lat' | 'lon'>): string {
  const name = countryName(c.country);
  if (c.lat === null || c.lat === undefined || c.lon === null || c.lon === undefined) return name;
  return `${name} · ${deg(c.lat, 'N', 'S')} ${deg(c.lon, 'E', 'W')}`;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "12 devices waiting here", or "" when nobody waits. */
export function waitingText(n: number): string {
  if (n <= 0) return '';
  return `${plural(n, 'device')} waiting here`;
}

/** GPU models of a cell, most units first: "2× RTX 4090, A100". */
export function gpuModelsText(models: Record<string, number> | undefined): string {
  const entries = Object.entries(models ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries
    .map(([m, n]) => {
      const name = m === 'unknown' ? 'unknown model' : prettyModel(m);
      return n > 1 ? `${n}× ${name}` : name;
    })
    .join(', ');
}

/** One sentence for screen readers and the details panel. */
export function cellSummary(c: MapCell): string {
  const parts = [`${cellName(c)}: ${plural(c.devices, 'device')}`];
  if (c.mine > 0) parts.push(`${c.mine} yours`);
  parts.push(`${c.online} online`);
  if (c.gpus > 0) parts.push(`${plural(c.gpus, 'GPU')} (${gpuModelsText(c.gpu_models)})`);
  const waiting = waitingText(c.waitlisted);
  if (waiting) parts.push(waiting);
  return parts.join(', ') + '.';
}

/** Marker radius in map units: area grows with the count, within [min, max]. */
export function markerRadius(count: number, largest: number, min = 3, max = 16): number {
  if (count <= 0 || largest <= 0) return 0;
  return min + (max - min) * Math.sqrt(Math.min(count, largest) / largest);
}

export const REGION_STATUS_TEXT: Record<string, string> = {
  active: 'Active',
  draining: 'Draining',
  proposed: 'Proposed',
  bootstrapping: 'Bootstrapping',
};

/** "Active · 12 devices (3 online) · 4 GPUs · room for 88". */
export function regionSummary(r: MapRegion): string {
  const parts = [REGION_STATUS_TEXT[r.status] ?? r.status, `${plural(r.devices, 'device')} (${r.online} online)`];
  if (r.gpus > 0) parts.push(plural(r.gpus, 'GPU'));
  if (r.max_workers > 0) parts.push(`room for ${Math.max(0, r.max_workers - r.devices)}`);
  return parts.join(' · ');
}

/** Cells in the order the list shows them: the caller's first, then by size, then by name. */
export function sortCells(cells: readonly MapCell[]): MapCell[] {
  return [...cells].sort(
    (a, b) => Number(b.mine > 0) - Number(a.mine > 0) || b.devices - a.devices || a.cell.localeCompare(b.cell),
  );
}
