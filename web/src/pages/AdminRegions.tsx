// Admin: the regions — status, capacity, devices placed and online, gateways and their load —
// with drain / activate (network admins) and the outcome shown. A region admin sees only the
// regions it administers (the API filters GET /v1/regions) and no gateway list. Network admins
// also see the region proposals of full waitlist cells and approve a volunteer.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Gateway, MapRegion, Region } from '../api/types';
import { AdminProposals } from '../components/Proposals';
import { Empty, ErrorBox, Loading, PageTitle, usePoll, useTick } from '../components/common';
import { useSession } from '../session';
import { timeAgo } from '../view/format';
import { REGION_STATUS_TEXT, plural } from '../view/map';
import { capacityText, gatewayLoad, regionActions } from '../view/admin';

function RegionCard({ r, live, gateways, isAdmin, now, onChanged }: {
  r: Region;
  live: MapRegion | undefined;
  gateways: Gateway[] | null;
  isAdmin: boolean;
  now: number;
  onChanged: (r: Region) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mine = (gateways ?? []).filter((g) => g.region === r.id);
  const load = gatewayLoad(mine);
  async function act(action: 'drain' | 'activate') {
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      const updated = await api.regionAction(r.id ?? '', action);
      onChanged(updated);
      setResult(action === 'drain'
        ? `${r.name} is draining: no new devices are placed there.`
        : `${r.name} is active: devices are placed there again.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <article class="card region-card" data-region={r.id} aria-labelledby={`region-${r.id}`}>
      <div class="page-head">
        <h2 id={`region-${r.id}`}>
          {r.name} <span class="muted small mono">{r.id}</span>
        </h2>
        <span class={`badge badge-region-${r.status}`} data-status={r.status}>{REGION_STATUS_TEXT[r.status ?? ''] ?? r.status}</span>
      </div>
      <dl>
        <dt>Location</dt>
        <dd>{r.location_region || <span class="muted">none (single-region default)</span>}
          {r.countries && r.countries.length > 0 && <span class="muted"> · {r.countries.join(', ')}</span>}</dd>
        <dt>Devices</dt>
        <dd>{capacityText(r.devices ?? 0, r.max_workers ?? 0)}{live && ` · ${live.online} online · ${plural(live.gpus, 'GPU')}`}</dd>
        <dt>Hardware</dt>
        <dd>{r.hardware_policy ?? 'mixed'}</dd>
        <dt>Kubernetes</dt>
        <dd>{r.kube_api_endpoint ? <span class="mono">{r.kube_api_endpoint}</span> : <span class="muted">not configured</span>}</dd>
        <dt>Gateways</dt>
        <dd>
          {gateways === null ? (
            <span class="muted">{(r.gateways ?? []).join(', ') || 'none configured'}</span>
          ) : mine.length === 0 ? (
            <span class="muted">none joined{r.gateways?.length ? ` (configured: ${r.gateways.join(', ')})` : ''}</span>
          ) : (
            <ul class="plain">
              {mine.map((g) => (
                <li key={g.id}>
                  <span class="mono">{g.endpoint || g.name}</span>{' '}
                  <span class={`badge ${g.state === 'up' ? 'badge-online' : 'badge-offline'}`}>{g.state}</span>{' '}
                  {plural(g.homed_workers ?? 0, 'worker')}
                  {g.last_seen && <span class="muted small"> · seen {timeAgo(g.last_seen, now)}</span>}
                </li>
              ))}
              <li class="muted small">load spread {load}</li>
            </ul>
          )}
        </dd>
      </dl>
      {isAdmin && (
        <div class="row actions">
          {regionActions(r.status ?? '', r.id ?? '').map((a) => (
            <button key={a} type="button" class={a === 'drain' ? 'secondary' : ''} disabled={busy}
              onClick={() => void act(a)}>
              {a === 'drain' ? 'Drain' : 'Activate'} {r.name}
            </button>
          ))}
        </div>
      )}
      {result && <p class="ok" role="status">{result}</p>}
      <ErrorBox error={error} />
    </article>
  );
}

export function AdminRegionsPage() {
  const { me } = useSession();
  const isAdmin = me?.role === 'admin';
  const [regions, setRegions] = useState<Region[] | null>(null);
  const [live, setLive] = useState<Map<string, MapRegion>>(new Map());
  const [gateways, setGateways] = useState<Gateway[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useTick(10000);
  usePoll(async () => {
    try {
      const [rs, map, gws] = await Promise.all([
        api.regions(), api.map(), isAdmin ? api.gateways() : Promise.resolve(null),
      ]);
      setRegions(rs.regions);
      setLive(new Map(map.regions.map((r) => [r.id, r])));
      setGateways(gws ? gws.gateways : null);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 10000, [isAdmin]);

  return (
    <section>
      <PageTitle title="Regions">Regions</PageTitle>
      {!isAdmin && <p class="muted">You administer these regions; network admins manage the rest.</p>}
      <ErrorBox error={error} />
      {regions === null ? (
        !error && <Loading what="regions" />
      ) : regions.length === 0 ? (
        <Empty title="No regions">
          <p>Create one with <code>hearth admin region create</code> or <code>POST /v1/regions</code>.</p>
        </Empty>
      ) : (
        <div class="grid">
          {regions.map((r) => (
            <RegionCard key={r.id} r={r} live={live.get(r.id ?? '')} gateways={gateways} isAdmin={isAdmin} now={now}
              onChanged={(u) => setRegions((all) => (all ?? []).map((x) => (x.id === u.id ? u : x)))} />
          ))}
        </div>
      )}
      {isAdmin && (
        <AdminProposals onApproved={(r) => setRegions((all) => [...(all ?? []).filter((x) => x.id !== r.id), r])} />
      )}
    </section>
  );
}
