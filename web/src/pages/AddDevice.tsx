// Add device: creates a single-use install key, shows the command to run on the device, then
// follows the device live (waiting → enrolled → online) by polling the key and the device.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Device, InstallKey, NewInstallKey } from '../api/types';
import { CopyButton, ErrorBox, PageTitle, usePoll } from '../components/common';
import { gpuSummary, installStep, type InstallStep } from '../view/format';

const STEPS: { step: InstallStep; label: string }[] = [
  { step: 'waiting', label: 'Waiting for your device…' },
  { step: 'enrolled', label: 'Enrolled: hardware checked and keys registered' },
  { step: 'online', label: 'Online: first heartbeat received' },
];

function Progress({ step }: { step: InstallStep }) {
  const at = STEPS.findIndex((s) => s.step === step);
  return (
    <ol class="steps" aria-label="Progress">
      {STEPS.map((s, i) => {
        const state = i < at ? 'done' : i === at ? (step === 'online' ? 'done' : 'current') : 'todo';
        return (
          <li key={s.step} class={`step step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            {s.label}
          </li>
        );
      })}
    </ol>
  );
}

export function AddDevicePage() {
  const [key, setKey] = useState<NewInstallKey | null>(null);
  const [status, setStatus] = useState<InstallKey | undefined>(undefined);
  const [device, setDevice] = useState<Device | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    try {
      const k = await api.createInstallKey();
      setKey(k);
      setStatus(k);
      setDevice(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const step = installStep(status, device);
  usePoll(async () => {
    if (!key || step === 'online' || step === 'expired' || step === 'revoked') return;
    const keys = await api.installKeys();
    const k = keys.install_keys?.find((x) => x.id === key.id);
    setStatus(k);
    if (k?.used_by) setDevice(await api.device(k.used_by));
  }, 1500, [key?.id, step]);

  const join = key ? `hearth join --coordinator ${location.origin} ${key.key}` : '';
  return (
    <section>
      <PageTitle title="Add device">Add a device</PageTitle>
      {!key ? (
        <div class="card">
          <p>
            You get a single-use install key. Run one command on the computer you want to add; it checks the
            hardware, creates its keys (private keys never leave the device) and enrolls.
          </p>
          <ErrorBox error={error} />
          <button type="button" onClick={create} disabled={busy}>
            {busy ? 'Creating…' : 'Create install key'}
          </button>
        </div>
      ) : (
        <div class="card">
          <h2>1. On the device, run</h2>
          <div class="command">
            <code id="join-command">{join}</code>
            <CopyButton text={join} label="Copy the join command" />
          </div>
          <p class="help">
            Then keep it running with <code>hearth agent</code>. The key <strong>{key.hint}-…</strong> works once and
            expires <time dateTime={key.expires_at}>{new Date(key.expires_at).toLocaleString()}</time>.
          </p>
          <h2>2. Watch it arrive</h2>
          <div aria-live="polite" id="install-progress" data-step={step}>
            {step === 'expired' || step === 'revoked' ? (
              <div class="error" role="alert">
                This install key {step === 'expired' ? 'expired' : 'was revoked'}.{' '}
                <button type="button" class="link" onClick={create}>
                  Create a new one
                </button>
              </div>
            ) : (
              <Progress step={step} />
            )}
          </div>
          {device && (
            <p class="arrived">
              <a href={`/devices/${device.id}`}>{device.name}</a> — {gpuSummary(device.inventory.gpus)} GPU
              {step === 'online' ? ' is online.' : ' enrolled; waiting for its first heartbeat.'}
            </p>
          )}
          <ErrorBox error={error} />
        </div>
      )}
    </section>
  );
}
