// The network map: an offline world map (world-atlas shapes bundled with the portal, projected
// with d3-geo; no tiles, nothing from other origins) with the whole network's devices per coarse
// cell, the owner's own highlighted, the regions with their status and the cells where devices
// wait for a region. Every marker is focusable and the same data is listed below the map.
import { geoEqualEarth, geoPath, type GeoProjection } from 'd3-geo';
import type { FeatureCollection } from 'geojson';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlasUrl from 'world-atlas/countries-110m.json?url';
import { api } from '../api/client';
import type { MapCell, MapRegion, NetworkMap } from '../api/types';
import { Empty, ErrorBox, Loading, PageTitle, usePoll } from '../components/common';
import {
  cellName, cellPoint, cellSummary, gpuModelsText, markerRadius, plural, REGION_STATUS_TEXT, regionSummary,
  sortCells, waitingText,
} from '../view/map';

const W = 960;
const H = 470;
const LIST_LIMIT = 50;

interface Atlas {
  land: string;
  borders: string;
  sphere: string;
  projection: GeoProjection;
}

type CountriesTopology = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

let atlasPromise: Promise<Atlas> | null = null;
function loadAtlas(): Promise<Atlas> {
  atlasPromise ??= fetch(atlasUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`The map's shapes did not load (${r.status}); reload the page.`);
      return r.json() as Promise<CountriesTopology>;
    })
    .then((topo) => {
      const projection = geoEqualEarth().fitExtent([[6, 6], [W - 6, H - 6]], { type: 'Sphere' });
      const path = geoPath(projection);
      const land = feature(topo, topo.objects.countries) as unknown as FeatureCollection;
      return {
        projection,
        sphere: path({ type: 'Sphere' }) ?? '',
        land: path(land) ?? '',
        borders: path(mesh(topo, topo.objects.countries, (a, b) => a !== b)) ?? '',
      };
    })
    .catch((e: unknown) => {
      atlasPromise = null;
      throw e;
    });
  return atlasPromise;
}

type Selection = { kind: 'cell'; cell: MapCell } | { kind: 'region'; region: MapRegion } | null;

function onActivate(fn: () => void) {
  return {
    onClick: fn,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        fn();
      }
    },
  };
}

function WorldMap({ atlas, cells, regions, selected, select }: {
  atlas: Atlas;
  cells: MapCell[];
  regions: MapRegion[];
  selected: Selection;
  select: (s: Selection) => void;
}) {
  const largest = Math.max(1, ...cells.map((c) => c.devices));
  const placed = cells
    .map((c) => ({ c, p: cellPoint(c) }))
    .flatMap(({ c, p }) => {
      const xy = p ? atlas.projection(p) : null;
      return xy ? [{ c, x: xy[0], y: xy[1], r: markerRadius(c.devices, largest) }] : [];
    })
    .sort((a, b) => b.r - a.r); // small markers on top of large ones; regions on top of all
  return (
    <svg class="world" viewBox={`0 0 ${W} ${H}`} role="group" aria-label="World map of the network's devices">
      <path d={atlas.sphere} class="sea" />
      <path d={atlas.land} class="land" />
      <path d={atlas.borders} class="borders" />
      {placed.map(({ c, x, y, r }) => {
        const active = selected?.kind === 'cell' && selected.cell.cell === c.cell;
        const cls = ['cell', c.mine > 0 ? 'cell-mine' : '', c.waitlisted > 0 ? 'cell-waiting' : '', active ? 'selected' : '']
          .filter(Boolean).join(' ');
        return (
          <g key={c.cell} class={cls} tabindex={0} role="button" aria-pressed={active} aria-label={cellSummary(c)}
            data-cell={c.cell} {...onActivate(() => select({ kind: 'cell', cell: c }))}>
            <circle cx={x.toFixed(1)} cy={y.toFixed(1)} r={r.toFixed(1)} />
            {c.mine > 0 && <circle class="ring" cx={x.toFixed(1)} cy={y.toFixed(1)} r={(r + 3).toFixed(1)} />}
          </g>
        );
      })}
      {regions.map((r) => {
        const xy = atlas.projection([r.lon, r.lat]);
        if (!xy) return null;
        const active = selected?.kind === 'region' && selected.region.id === r.id;
        return (
          <g key={r.id} class={`region region-${r.status}${active ? ' selected' : ''}`} tabindex={0} role="button"
            aria-pressed={active} aria-label={`Region ${r.name}: ${regionSummary(r)}`} data-region={r.id}
            transform={`translate(${xy[0].toFixed(1)} ${xy[1].toFixed(1)})`}
            {...onActivate(() => select({ kind: 'region', region: r }))}>
            <rect x={-6} y={-6} width={12} height={12} transform="rotate(45)" />
            <text x={10} y={4}>{r.name}</text>
          </g>
        );
      })}
    </svg>
  );
}

function Details({ selected }: { selected: Selection }) {
  if (!selected) {
    return <p class="muted">Select a circle or a region on the map (or press Tab to move between them) for details.</p>;
  }
  if (selected.kind === 'region') {
    const r = selected.region;
    return (
      <div>
        <h3>Region {r.name}</h3>
        <p>{regionSummary(r)}</p>
        <p class="muted small">
          Serves {r.countries.length ? r.countries.join(', ') : 'devices by distance'} · {r.hardware_policy}
          {r.mine > 0 && ` · ${plural(r.mine, 'device')} of yours`}
        </p>
      </div>
    );
  }
  const c = selected.cell;
  return (
    <div>
      <h3>{cellName(c)}</h3>
      <p>
        {plural(c.devices, 'device')}, {c.online} online
        {c.mine > 0 && <strong> · {c.mine} yours</strong>}
      </p>
      {c.gpus > 0 && <p>{plural(c.gpus, 'GPU')}: {gpuModelsText(c.gpu_models)}</p>}
      {c.waitlisted > 0 && <p class="waiting-text">{waitingText(c.waitlisted)} for a region to open.</p>}
    </div>
  );
}

export function MapPage() {
  const [data, setData] = useState<NetworkMap | null>(null);
  const [atlas, setAtlas] = useState<Atlas | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<Selection>(null);
  const [onlyMine, setOnlyMine] = useState(false);

  useEffect(() => {
    loadAtlas().then(setAtlas, setError);
  }, []);
  usePoll(async () => {
    try {
      setData(await api.map());
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 30000, []);

  const cells = useMemo(() => (data ? data.cells.filter((c) => !onlyMine || c.mine > 0) : []), [data, onlyMine]);
  const listed = useMemo(() => sortCells(cells), [cells]);
  const waiting = cells.filter((c) => c.waitlisted > 0);

  let body;
  if (!data) {
    body = !error && <Loading what="the map" />;
  } else if (data.totals.devices === 0 && data.regions.length === 0) {
    body = (
      <Empty title="Nothing on the map yet">
        <p>No devices have joined the network. Add one and it appears here, counted in its area.</p>
        <a class="button" href="/devices/add">Add a device</a>
      </Empty>
    );
  } else {
    const t = data.totals;
    body = (
      <>
        <p class="summary" aria-live="polite">
          {plural(t.devices, 'device')} in the network ({t.online} online, {plural(t.gpus, 'GPU')}),{' '}
          {t.mine} of them yours
          {t.waitlisted > 0 && <>; {plural(t.waitlisted, 'device')} waiting for a region</>}.
        </p>
        <div class="map-tools">
          <label class="check">
            <input type="checkbox" checked={onlyMine} onChange={(e) => setOnlyMine(e.currentTarget.checked)} />
            Only cells with my devices
          </label>
          <ul class="legend" aria-label="Legend">
            <li><span class="key key-mine" aria-hidden="true" /> your devices</li>
            <li><span class="key key-other" aria-hidden="true" /> other devices</li>
            <li><span class="key key-waiting" aria-hidden="true" /> devices waiting</li>
            <li><span class="key key-region" aria-hidden="true" /> region</li>
          </ul>
        </div>
        <div class="map-wrap card">
          {atlas ? (
            <WorldMap atlas={atlas} cells={cells} regions={data.regions} selected={selected} select={setSelected} />
          ) : (
            !error && <Loading what="the world map" />
          )}
          <div class="map-details" aria-live="polite">
            <Details selected={selected} />
          </div>
          <p class="muted small attribution">
            Each circle is an area of about 100 km (one degree) or a whole country; exact locations are never shown.
            Shapes: Natural Earth.
          </p>
        </div>
        {waiting.length > 0 && (
          <div class="card waitlist">
            <h2>Waiting for a region</h2>
            <ul class="plain">
              {sortCells(waiting).map((c) => (
                <li key={c.cell} data-waiting-cell={c.cell}>
                  <strong>{cellName(c)}</strong>: {waitingText(c.waitlisted)}
                  {c.waitlisted_gpus > 0 && ` (${plural(c.waitlisted_gpus, 'GPU')})`}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div class="grid">
          <div class="card">
            <h2>Regions</h2>
            {data.regions.length === 0 ? (
              <p class="muted">No regions are configured; every device joins the default cluster.</p>
            ) : (
              <ul class="plain regions-list">
                {data.regions.map((r) => (
                  <li key={r.id}>
                    <strong>{r.name}</strong> <span class={`badge badge-region-${r.status}`}>{REGION_STATUS_TEXT[r.status] ?? r.status}</span>
                    <div class="muted small">{regionSummary(r)}</div>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div class="card">
            <h2>Areas</h2>
            {listed.length === 0 ? (
              <p class="muted">{onlyMine ? 'None of your devices has a location yet.' : 'No device has a location yet.'}</p>
            ) : (
              <table class="cells">
                <thead>
                  <tr>
                    <th scope="col">Area</th>
                    <th scope="col">Devices</th>
                    <th scope="col">Yours</th>
                    <th scope="col">GPUs</th>
                  </tr>
                </thead>
                <tbody>
                  {listed.slice(0, LIST_LIMIT).map((c) => (
                    <tr key={c.cell} data-cell-row={c.cell} class={c.mine > 0 ? 'mine' : undefined}>
                      <td>
                        <button type="button" class="link" onClick={() => setSelected({ kind: 'cell', cell: c })}>
                          {cellName(c)}
                        </button>
                        {c.waitlisted > 0 && <div class="small waiting-text">{waitingText(c.waitlisted)}</div>}
                      </td>
                      <td>{c.devices} <span class="muted small">({c.online} online)</span></td>
                      <td>{c.mine}</td>
                      <td>{c.gpus}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {listed.length > LIST_LIMIT && <p class="muted small">and {listed.length - LIST_LIMIT} smaller areas</p>}
          </div>
        </div>
        {t.unlocated > 0 && (
          <p class="muted small">
            Not on the map: {plural(t.unlocated, 'device')} ({t.unlocated_mine} yours) without location evidence (no
            GeoIP location, declared country or placed region). <code>hearth join --country CC</code> declares one.
          </p>
        )}
      </>
    );
  }
  return (
    <section>
      <PageTitle title="Map">Network map</PageTitle>
      <ErrorBox error={error} />
      {body}
    </section>
  );
}
