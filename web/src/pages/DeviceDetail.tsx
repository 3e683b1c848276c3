// One device: status, hardware, the latest heartbeat; rename; remove with a confirmation that
// says what happens.
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { Device } from '../api/types';
import { ErrorBox, Loading, PageTitle, StatusBadge, usePoll, useTick } from '../components/common';
import { navigate } from '../router';
import { useSession } from '../session';
import {
  formatBytes, formatDuration, gpuName, isOutdated, timeAgo, uptimeSeconds, validateDeviceName,
} from '../view/format';

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

function RemovePanel({ device }: { device: Device }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  async function remove() {
    setBusy(true);
    try {
      await api.removeDevice(device.id);
      navigate('/devices', true);
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
  const { version } = useSession();
  const [device, setDevice] = useState<Device | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useTick(5000);
  usePoll(async () => {
    try {
      setDevice(await api.device(id));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 5000, [id]);

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
            <Row label="Uptime">{formatDuration(uptimeSeconds(device))}</Row>
            <Row label="Load">
              {hb.load1 !== undefined ? `${hb.load1.toFixed(2)} / ${hb.load5?.toFixed(2)} / ${hb.load15?.toFixed(2)}` : '—'}
            </Row>
            <Row label="Free memory">{formatBytes(hb.mem_available_bytes)}</Row>
            <Row label="Agent">
              <span class="mono">{device.agent_version}</span>
              {isOutdated(device.agent_version, version) && <span class="badge badge-warn">update available</span>}
            </Row>
            <Row label="Enrolled">{new Date(device.enrolled_at).toLocaleString()}</Row>
            <Row label="Region">
              <span class="muted">not placed yet</span>
            </Row>
            <Row label="Device id">
              <span class="mono">{device.id}</span>
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
        </div>
        <div class="card">
          <h2>Settings</h2>
          <RenameForm device={device} onDone={setDevice} />
          <h3>Remove</h3>
          <RemovePanel device={device} />
        </div>
      </div>
    </section>
  );
}
