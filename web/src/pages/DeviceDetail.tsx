// One device: status, uptime (24 h / 7 d and a 7-day timeline), earnings (24 h / total and a
// 30-day chart), placement and its reason, the overlay network (gateway, last handshake),
// hardware and its changes since enrollment (upgrade events), the latest heartbeat, the admin
// state and Kubernetes node; rename; remove with a confirmation that says what happens. Admins
// also cordon, drain and ban it here.
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Device, DeviceUptime, Earnings, HardwareChange } from '../api/types';
import { ErrorBox, Loading, PageTitle, StatusBadge, usePoll, useTick } from '../components/common';
import { AdminStateBadge, DeviceActions, KubeBadge } from '../components/DeviceActions';
import { lazy } from '../components/lazy';
import { navigate } from '../router';
import { useSession } from '../session';
import {
  formatBytes, formatDuration, gpuName, isOutdated, lastHandshake, placementReason, regionText, timeAgo,
  timelineSegments, uptimeSeconds, validateDeviceName,
} from '../view/format';
import { describeHardwareChange, hardwareChangeBadge, hardwareChangeTitle } from '../view/hardware';
import { cellName, countryName } from '../view/map';
import { dailySeries, formatAkt, formatPercent } from '../view/money';

const EarningsChart = lazy(() => import('../components/EarningsChart').then((m) => m.EarningsChart), 'chart');

function UptimeTimeline({ uptime }: { uptime: DeviceUptime }) {
  const segments = timelineSegments(uptime.intervals, uptime.from, uptime.to);
  const from = Date.parse(uptime.from);
  const to = Date.parse(uptime.to);
  const dayMs = 86_400_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / dayMs) * dayMs; t < to; t += dayMs) ticks.push((t - from) / (to - from));
  const enrolled = Math.max(0, (Date.parse(uptime.enrolled_at) - from) / (to - from));
  return (
    <figure class="timeline">
      <svg viewBox="0 0 1000 40" preserveAspectRatio="none" role="img"
        aria-label={`Online ${formatPercent(uptime.uptime)} of the last 7 days (${segments.length} online spans)`}>
        <rect x="0" y="8" width="1000" height="24" class="tl-bg" />
        {enrolled > 0 && <rect x="0" y="8" width={(enrolled * 1000).toFixed(1)} height="24" class="tl-before" />}
        {segments.map((g) => (
          <rect key={g.start} x={(g.start * 1000).toFixed(1)} y="8" width={Math.max(1, (g.end - g.start) * 1000).toFixed(1)}
            height="24" class="tl-on" />
        ))}
        {ticks.map((t) => <line key={t} x1={(t * 1000).toFixed(1)} x2={(t * 1000).toFixed(1)} y1="4" y2="36" class="tl-tick" />)}
      </svg>
      <figcaption class="muted small">
        <span class="swatch tl-on-key" aria-hidden="true" /> online · lines mark UTC midnights · {formatDuration(uptime.online_seconds)} online
      </figcaption>
    </figure>
  );
}

/** The device's hardware changes, newest first (as the API lists them), or since when there were none. */
function HardwareChanges({ changes, enrolledAt }: { changes: readonly HardwareChange[]; enrolledAt: string }) {
  if (changes.length === 0) {
    return (
      <p class="muted">
        No hardware changes since enrollment <time dateTime={enrolledAt}>{new Date(enrolledAt).toLocaleDateString()}</time>.
      </p>
    );
  }
  return (
    <ol class="hw-changes" aria-labelledby="hardware-changes">
      {changes.map((c, i) => (
        <li key={`${c.at}-${i}`} data-kind={c.kind}>
          <div class="hw-change-head">
            <span class={`badge ${hardwareChangeBadge(c.kind)}`}>{hardwareChangeTitle(c.kind)}</span>
            <time class="muted small" dateTime={c.at}>{new Date(c.at).toLocaleString()}</time>
          </div>
          <ul class="plain">
            {c.changes.map((item, j) => <li key={j}>{describeHardwareChange(item)}</li>)}
          </ul>
        </li>
      ))}
    </ol>
  );
}

function Row({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function RenameForm({ device, onDone }: { device: Device; onDone: (d: Device) => void }) {
  const [name, setName] = useState(device.name);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const invalid = validateDeviceName(name);
  async function submit(e: Event) {
    e.preventDefault();
    setSaved(false);
    if (invalid) {
      setError(new Error(invalid));
      return;
    }
    try {
      onDone(await api.renameDevice(device.id, name.trim()));
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form class="inline-form" onSubmit={submit}>
      <label for="device-name">Name</label>
      <div class="row">
        <input
          id="device-name"
          value={name}
          maxLength={64}
          aria-invalid={invalid ? 'true' : undefined}
          onInput={(e) => {
            setName(e.currentTarget.value);
            setSaved(false);
          }}
        />
        <button type="submit" class="secondary">
          Rename
        </button>
      </div>
      {saved && (
        <p class="ok" role="status">
          Renamed.
        </p>
      )}
      <ErrorBox error={error} />
    </form>
  );
}

function RemovePanel({ device, asAdmin }: { device: Device; asAdmin: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  async function remove() {
    setBusy(true);
    try {
      await api.removeDevice(device.id);
      navigate(asAdmin ? '/admin/devices' : '/devices', true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  if (!confirming) {
    return (
      <button
        type="button"
        class="danger"
        onClick={() => {
          setConfirming(true);
          setTimeout(() => cancelRef.current?.focus(), 0);
        }}
      >
        Remove device…
      </button>
    );
  }
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="remove-title" aria-describedby="remove-text">
      <h3 id="remove-title">Remove {device.name}?</h3>
      <p id="remove-text">
        {asAdmin && 'The device is deleted from the network for its owner too. '}
        Its credential is revoked at once: the agent on the device stops and the device leaves the network, so it
        stops earning. This cannot be undone — to add the computer again, create a new install key and run
        <code> hearth join</code> on it.
      </p>
      <ErrorBox error={error} />
      <div class="row">
        <button type="button" class="danger" onClick={remove} disabled={busy}>
          {busy ? 'Removing…' : 'Yes, remove it'}
        </button>
        <button type="button" class="secondary" ref={cancelRef} onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function DeviceDetailPage({ id }: { id: string }) {
  const { me, version } = useSession();
  const [device, setDevice] = useState<Device | null>(null);
  const [uptime, setUptime] = useState<DeviceUptime | null>(null);
  const [earnings, setEarnings] = useState<Earnings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useTick(5000);
  usePoll(async () => {
    try {
      setDevice(await api.device(id, true));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 5000, [id]);
  const owner = device?.owner_id;
  usePoll(async () => {
    if (!owner) return;
    try {
      const from = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 29 * 86_400_000).toISOString();
      // An admin looking at someone else's device reads that owner's earnings.
      const asOwner = me?.role === 'admin' && me.id !== owner ? owner : undefined;
      const [u, e] = await Promise.all([api.deviceUptime(id, 7), api.earnings({ from, group: 'day', owner: asOwner })]);
      setUptime(u);
      setEarnings(e);
    } catch (e) {
      setError(e);
    }
  }, 60000, [id, owner]);
  const series = useMemo(() => (earnings ? dailySeries(earnings, id) : null), [earnings, id]);
  const regionId = device?.network?.region || device?.placement?.region || '';
  // Network admins and the admin of the device's region decide on it (as the API allows).
  const manages = me?.role === 'admin' || (regionId !== '' && (me?.region_admin_of ?? []).includes(regionId));
  const othersDevice = me?.role === 'admin' && device !== null && device.owner_id !== me.id;

  if (!device) {
    return (
      <section>
        <PageTitle title="Device">Device</PageTitle>
        {error instanceof ApiError && error.status === 404 ? (
          <div class="error" role="alert">
            {error.message} <a href="/devices">Back to your devices</a>
          </div>
        ) : (
          <>
            <ErrorBox error={error} />
            {!error && <Loading what="the device" />}
          </>
        )}
      </section>
    );
  }
  const inv = device.inventory;
  const hb = device.heartbeat ?? {};
  const st = device.stats;
  const net = device.network ?? {};
  const pl = device.placement ?? {};
  const handshake = lastHandshake(device);
  const peer = hb.network?.peers?.[0];
  return (
    <section>
      <p class="crumbs">
        <a href="/devices">Devices</a> /
      </p>
      <div class="page-head">
        <PageTitle title={device.name}>{device.name}</PageTitle>
        <StatusBadge status={device.status} />
      </div>
      <ErrorBox error={error} />
      <div class="grid">
        <div class="card">
          <h2>Status</h2>
          <dl>
            <Row label="Status">
              {device.status}, last seen <time dateTime={device.last_seen}>{timeAgo(device.last_seen, now)}</time>
            </Row>
            <Row label="Uptime">
              {st ? `${formatPercent(st.uptime_24h)} (24 h) · ${formatPercent(st.uptime_7d)} (7 d)` : '—'}
            </Row>
            <Row label="Earned">
              {st ? `${formatAkt(st.earned_24h)} (24 h) · ${formatAkt(st.earned_total)} total` : '—'}
            </Row>
            <Row label="Host up">{formatDuration(uptimeSeconds(device))}</Row>
            <Row label="Load">
              {hb.load1 !== undefined ? `${hb.load1.toFixed(2)} / ${hb.load5?.toFixed(2)} / ${hb.load15?.toFixed(2)}` : '—'}
            </Row>
            <Row label="Free memory">{formatBytes(hb.mem_available_bytes)}</Row>
            <Row label="Agent">
              <span class="mono">{device.agent_version}</span>
              {isOutdated(device.agent_version, version) && <span class="badge badge-warn">update available</span>}
            </Row>
            <Row label="Enrolled">{new Date(device.enrolled_at).toLocaleString()}</Row>
            <Row label="Device id">
              <span class="mono">{device.id}</span>
            </Row>
            <Row label="Admin state">
              <AdminStateBadge state={device.admin_state ?? 'active'} />
              {device.admin_reason && <div class="muted small">{device.admin_reason}</div>}
            </Row>
            <Row label="Kubernetes">
              <KubeBadge device={device} />
            </Row>
          </dl>
        </div>
        <div class="card">
          <h2>Placement and network</h2>
          <dl>
            <Row label="Region">{regionText(device, countryName)}</Row>
            <Row label="Why">
              {placementReason(pl.reason)}
              {pl.detail && <div class="muted small">{pl.detail}</div>}
            </Row>
            {pl.waitlist_cell && (
              <Row label="Waiting in">
                {cellName({ country: pl.waitlist_cell.split('/')[0] ?? 'ZZ', lat: null, lon: null })}{' '}
                <span class="muted small mono">{pl.waitlist_cell}</span>
              </Row>
            )}
            <Row label="Address">{net.address ? <span class="mono">{net.address}</span> : '—'}</Row>
            <Row label="Gateway">
              {net.home_gateway ? <span class="mono">{net.home_gateway}</span> : <span class="muted">none yet</span>}
              {peer?.endpoint && <div class="muted small mono">{peer.endpoint}</div>}
            </Row>
            <Row label="Handshake">{handshake === undefined ? <span class="muted">none reported</span> : `${formatDuration(handshake)} ago`}</Row>
            <Row label="Config">
              {net.desired_version === undefined ? '—' : (
                <>
                  version {net.applied_version ?? 0} of {net.desired_version}
                  {net.in_sync ? <span class="badge badge-online">in sync</span> : <span class="badge badge-warn">applying</span>}
                  {net.applied_error && <div class="error small">{net.applied_error}</div>}
                </>
              )}
            </Row>
          </dl>
        </div>
        <div class="card">
          <h2>Hardware</h2>
          <dl>
            <Row label="Host">{inv.hostname ?? '—'}</Row>
            <Row label="OS">{[inv.os, inv.arch, inv.kernel_version].filter(Boolean).join(' · ') || '—'}</Row>
            <Row label="CPU">
              {inv.cpu_model ?? '—'}
              {inv.cpu_cores ? ` (${inv.cpu_cores} cores${inv.cpu_threads ? `, ${inv.cpu_threads} threads` : ''})` : ''}
            </Row>
            <Row label="Memory">{formatBytes(inv.memory_bytes)}</Row>
            <Row label="GPUs">
              {inv.gpus && inv.gpus.length ? (
                <ul class="plain">
                  {inv.gpus.map((g) => (
                    <li key={g.pci_address}>
                      {gpuName(g)}
                      {g.driver_version ? <span class="muted"> · driver {g.driver_version}</span> : null}
                    </li>
                  ))}
                </ul>
              ) : (
                'none'
              )}
            </Row>
            <Row label="Disks">
              {inv.disks && inv.disks.length ? (
                <ul class="plain">
                  {inv.disks.map((d) => (
                    <li key={d.name}>
                      {d.name} {formatBytes(d.size_bytes)} {d.rotational ? 'HDD' : 'SSD'}
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              )}
            </Row>
          </dl>
          <h3 id="hardware-changes">Changes</h3>
          <HardwareChanges changes={device.hardware_changes ?? []} enrolledAt={device.enrolled_at} />
        </div>
        <div class="card wide">
          <h2>Uptime, last 7 days</h2>
          {uptime ? <UptimeTimeline uptime={uptime} /> : <Loading what="the uptime" />}
        </div>
        <div class="card wide">
          <h2>Earnings, last 30 days</h2>
          {!series ? <Loading what="the earnings" /> : series.usage.every((u, i) => u + (series.participation[i] ?? 0) === 0) ? (
            <p class="muted">Nothing earned in the last 30 days yet: devices earn for settled hours online after probation.</p>
          ) : (
            <EarningsChart series={series} label={`${device.name}'s earnings per day over the last 30 days`} />
          )}
        </div>
        <div class="card">
          <h2>Settings</h2>
          <RenameForm device={device} onDone={setDevice} />
          <h3>Remove</h3>
          <RemovePanel device={device} asAdmin={othersDevice} />
        </div>
        {manages && (
          <div class="card" aria-labelledby="admin-actions">
            <h2 id="admin-actions">Admin actions</h2>
            <DeviceActions device={device} onChanged={(d) => setDevice({ ...device, ...d })} />
          </div>
        )}
      </div>
    </section>
  );
}
