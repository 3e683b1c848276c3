// The owner's devices: status with last seen, region, GPUs, CPU/RAM, agent version (flagged when
// older than the coordinator), uptime over 24 h / 7 d and earnings over 24 h / in total.
// Polls so a device going offline or coming online shows without a reload. An owner whose
// devices wait in a cell with a region proposal may volunteer to host it.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Device } from '../api/types';
import { AdminStateBadge, KubeBadge } from '../components/DeviceActions';
import { OwnerProposals } from '../components/Proposals';
import { Empty, ErrorBox, Loading, PageTitle, StatusBadge, usePoll, useTick } from '../components/common';
import { useSession } from '../session';
import { compareDevices, cpuRamSummary, gpuSummary, isOutdated, regionText, timeAgo } from '../view/format';
import { countryName } from '../view/map';
import { formatAkt, formatPercent } from '../view/money';

export function DeviceTable({ devices, now, showOwner = false }: {
  devices: readonly Device[];
  now: number;
  showOwner?: boolean;
}) {
  const { version } = useSession();
  return (
    <table class="devices">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          {showOwner && <th scope="col">Owner</th>}
          {showOwner && <th scope="col">Admin state</th>}
          {showOwner && <th scope="col">Kubernetes</th>}
          <th scope="col">Region</th>
          <th scope="col">GPUs</th>
          <th scope="col">CPU / RAM</th>
          <th scope="col">Agent</th>
          <th scope="col">Uptime 24 h / 7 d</th>
          <th scope="col">Earned 24 h / total</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id} data-device-id={d.id}>
            <td data-label="Name">
              <a href={`/devices/${d.id}`} class="device-name">
                {d.name}
              </a>
              <div class="muted small">{d.inventory.hostname ?? d.id}</div>
            </td>
            <td data-label="Status">
              <StatusBadge status={d.status} />
              <div class="muted small">
                <time dateTime={d.last_seen}>seen {timeAgo(d.last_seen, now)}</time>
              </div>
            </td>
            {showOwner && (
              <td data-label="Owner" class="mono small">
                {d.owner_id}
              </td>
            )}
            {showOwner && (
              <td data-label="Admin state">
                <AdminStateBadge state={d.admin_state ?? 'active'} />
              </td>
            )}
            {showOwner && (
              <td data-label="Kubernetes">
                <KubeBadge device={d} />
              </td>
            )}
            <td data-label="Region" class={d.network?.region || d.placement?.region ? undefined : 'muted'}>
              {regionText(d, countryName)}
            </td>
            <td data-label="GPUs">{gpuSummary(d.inventory.gpus)}</td>
            <td data-label="CPU / RAM">{cpuRamSummary(d)}</td>
            <td data-label="Agent">
              <span class="mono">{d.agent_version}</span>
              {isOutdated(d.agent_version, version) && (
                <span class="badge badge-warn" title={`The coordinator runs ${version}`}>
                  update available
                </span>
              )}
            </td>
            <td data-label="Uptime">
              {d.stats ? `${formatPercent(d.stats.uptime_24h)} / ${formatPercent(d.stats.uptime_7d)}` : '—'}
            </td>
            <td data-label="Earned">
              {d.stats ? (
                <>
                  {formatAkt(d.stats.earned_24h)}
                  <div class="muted small">{formatAkt(d.stats.earned_total)} total</div>
                </>
              ) : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DevicesPage() {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useTick(5000);
  usePoll(async () => {
    try {
      const list = await api.devices(true, true);
      setDevices([...(list.devices ?? [])].sort(compareDevices));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 5000, []);

  const online = devices?.filter((d) => d.status === 'online').length ?? 0;
  return (
    <section>
      <div class="page-head">
        <PageTitle title="Devices">Your devices</PageTitle>
        <a class="button" href="/devices/add">
          Add device
        </a>
      </div>
      <ErrorBox error={error} />
      {devices === null ? (
        !error && <Loading what="your devices" />
      ) : devices.length === 0 ? (
        <Empty title="No devices yet">
          <p>Add your first computer: you get a one-line command to run on it, and it shows up here within seconds.</p>
          <a class="button" href="/devices/add">
            Add your first device
          </a>
        </Empty>
      ) : (
        <>
          <p class="summary" aria-live="polite">
            {online} of {devices.length} online
          </p>
          <DeviceTable devices={devices} now={now} />
          {devices.some((d) => d.placement?.waitlist_cell) && <OwnerProposals />}
        </>
      )}
    </section>
  );
}
