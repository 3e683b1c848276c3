// An admin's decisions on one device (POST /v1/admin/devices/{id}/actions): the actions its
// admin state allows, each confirmed with what it does and an optional reason, then the new
// state or the API's message.
import { useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Device, DeviceActionName } from '../api/types';
import { ADMIN_STATE_TEXT, DEVICE_ACTION_TEXT, KUBE_STATE_TEXT, adminStateClass, deviceActions, kubeStateClass } from '../view/admin';
import { ErrorBox } from './common';

export function AdminStateBadge({ state }: { state: string }) {
  return (
    <span class={`badge ${adminStateClass(state)}`} data-admin-state={state}>
      {state}
    </span>
  );
}

/** The device's Kubernetes node: ready, notready, missing or not joined, with its name. */
export function KubeBadge({ device }: { device: Device }) {
  const k = device.k8s;
  const state = k?.state ?? 'none';
  return (
    <>
      <span class={`badge ${kubeStateClass(state)}`} data-k8s-state={state}>{KUBE_STATE_TEXT[state] ?? state}</span>
      {k?.node && <div class="muted small mono">{k.node}</div>}
      {k?.mismatch && <div class="small waiting-text">{k.mismatch}</div>}
    </>
  );
}

export function DeviceActions({ device, onChanged }: { device: Device; onChanged: (d: Device) => void }) {
  const state = device.admin_state ?? 'active';
  const [pending, setPending] = useState<DeviceActionName | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const openerRef = useRef<HTMLDivElement>(null);

  function ask(a: DeviceActionName) {
    setPending(a);
    setReason('');
    setError(null);
    setResult(null);
    setTimeout(() => reasonRef.current?.focus(), 0);
  }
  function close() {
    setPending(null);
    setTimeout(() => openerRef.current?.querySelector('button')?.focus(), 0);
  }
  async function confirm(e: Event) {
    e.preventDefault();
    if (!pending) return;
    setBusy(true);
    try {
      const r = reason.trim();
      const d = await api.deviceAction(device.id, { action: pending, ...(r ? { reason: r } : {}) });
      onChanged(d);
      const next = d.admin_state ?? 'active';
      setResult(`${DEVICE_ACTION_TEXT[pending].verb} done: ${d.name} is now ${ADMIN_STATE_TEXT[next] ?? next}.`);
      close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const text = pending ? DEVICE_ACTION_TEXT[pending] : null;
  return (
    <div class="device-actions">
      <p>
        State <AdminStateBadge state={state} />
        {device.admin_reason && <span class="muted"> · {device.admin_reason}</span>}
        {device.admin_state_at && (
          <span class="muted small"> · since <time dateTime={device.admin_state_at}>{new Date(device.admin_state_at).toLocaleString()}</time></span>
        )}
      </p>
      <div class="row" ref={openerRef}>
        {deviceActions(state).map((a) => (
          <button key={a} type="button" class={a === 'ban' ? 'danger' : 'secondary'} disabled={busy || pending !== null}
            onClick={() => ask(a)}>
            {DEVICE_ACTION_TEXT[a].verb}…
          </button>
        ))}
      </div>
      {pending && text && (
        <form class="confirm" role="alertdialog" aria-labelledby="action-title" aria-describedby="action-text" onSubmit={confirm}
          onKeyDown={(e) => { if (e.key === 'Escape') close(); }}>
          <h3 id="action-title">{text.verb} {device.name}?</h3>
          <p id="action-text">{text.effect}</p>
          <label for="action-reason">Reason (optional, shown to the owner)</label>
          <input id="action-reason" ref={reasonRef} maxLength={500} value={reason}
            onInput={(e) => setReason(e.currentTarget.value)} />
          <ErrorBox error={error} />
          <div class="row">
            <button type="submit" class={pending === 'ban' ? 'danger' : ''} disabled={busy}>
              {busy ? 'Please wait…' : `Yes, ${text.verb.toLowerCase()}`}
            </button>
            <button type="button" class="secondary" onClick={close}>Cancel</button>
          </div>
        </form>
      )}
      {result && <p class="ok" role="status">{result}</p>}
    </div>
  );
}
