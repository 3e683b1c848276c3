// Region proposals raised by full waitlist cells (GET /v1/regions/proposals). Admins see every
// proposal with its volunteers and approve one (POST .../approve: the region is created
// bootstrapping with the volunteer as its admin); a waitlisted owner sees the proposals of
// their cells and offers to host (POST .../volunteer). Field errors sit beside their field.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { HostingDetails, ProposalVolunteer, Region, RegionProposal } from '../api/types';
import { LOCATION_REGIONS } from '../view/akash-regions';
import { type HostingForm, hostingFromForm, parseCell } from '../view/admin';
import { cellName, plural } from '../view/map';
import { useSession } from '../session';
import { ErrorBox, Field, fieldMessage, usePoll } from './common';

function useProposals(): [RegionProposal[] | null, unknown, () => Promise<void>] {
  const [list, setList] = useState<RegionProposal[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      setList((await api.proposals()).proposals);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  usePoll(load, 10000, []);
  return [list, error, load];
}

function ProposalHead({ p }: { p: RegionProposal }) {
  return (
    <div class="page-head">
      <h3 id={`proposal-${p.id}`}>
        {cellName(parseCell(p.cell ?? ''))} <span class="muted small mono">{p.cell}</span>
      </h3>
      <span class={`badge ${p.status === 'open' ? 'badge-warn' : 'badge-online'}`} data-status={p.status}>
        {p.status === 'approved' ? `approved${p.region ? `: ${p.region}` : ''}` : 'open'}
      </span>
    </div>
  );
}

function HostingText({ h }: { h: HostingDetails | undefined }) {
  if (!h) return <span class="muted">no details</span>;
  return (
    <>
      gateway <span class="mono">{h.gateway_endpoint}</span> · {h.uplink_mbps} Mbit/s up ·{' '}
      {plural(h.control_nodes, 'control node')} · contact {h.contact}
      {h.note && <div class="muted small">{h.note}</div>}
    </>
  );
}

const APPROVE_FIELDS = ['id', 'name', 'location_region', 'lat', 'lon'] as const;

function ApproveForm({ p, v, onApproved }: { p: RegionProposal; v: ProposalVolunteer; onApproved: (r: Region) => void }) {
  const base = `approve-${p.id}-${v.account_id}`;
  const [f, setF] = useState({ id: '', name: '', location_region: '', lat: '', lon: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value });
  const fe = (k: string) => fieldMessage(error, `region.${k}`);
  const located = parseCell(p.cell ?? '').lat !== null;
  const general = error && !APPROVE_FIELDS.some((k) => fe(k)) ? error : null;
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      const region = {
        id: f.id.trim(), name: f.name.trim(), location_region: f.location_region,
        ...(f.lat.trim() ? { lat: Number(f.lat) } : {}), ...(f.lon.trim() ? { lon: Number(f.lon) } : {}),
      };
      onApproved(await api.approveProposal(p.id ?? '', v.account_id ?? '', region));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="approve-form" onSubmit={submit} noValidate aria-label={`Approve volunteer ${v.account_id}`}>
      <div class="form-grid">
        <Field id={`${base}-id`} label="Region id" help="Lowercase letters, digits and dashes, e.g. af-east." error={fe('id')}>
          {(d, inv) => <input id={`${base}-id`} value={f.id} onInput={set('id')} aria-describedby={d} aria-invalid={inv} required />}
        </Field>
        <Field id={`${base}-name`} label="Name" error={fe('name')}>
          {(d, inv) => <input id={`${base}-name`} value={f.name} onInput={set('name')} aria-describedby={d} aria-invalid={inv} required />}
        </Field>
        <Field id={`${base}-loc`} label="Akash location-region" error={fe('location_region')}>
          {(d, inv) => (
            <select id={`${base}-loc`} value={f.location_region} onChange={set('location_region')} aria-describedby={d} aria-invalid={inv} required>
              <option value="">Choose…</option>
              {LOCATION_REGIONS.map(([k, desc]) => <option key={k} value={k} title={desc}>{k}</option>)}
            </select>
          )}
        </Field>
        <Field id={`${base}-lat`} label="Latitude" help={located ? 'Optional: the cell\'s centre by default.' : 'Needed: the cell is a whole country.'} error={fe('lat')}>
          {(d, inv) => <input id={`${base}-lat`} inputMode="decimal" value={f.lat} onInput={set('lat')} aria-describedby={d} aria-invalid={inv} />}
        </Field>
        <Field id={`${base}-lon`} label="Longitude" error={fe('lon')}>
          {(d, inv) => <input id={`${base}-lon`} inputMode="decimal" value={f.lon} onInput={set('lon')} aria-describedby={d} aria-invalid={inv} />}
        </Field>
      </div>
      <ErrorBox error={general} />
      <button type="submit" disabled={busy}>{busy ? 'Approving…' : 'Approve this volunteer'}</button>
    </form>
  );
}

/** Admins: every proposal, its volunteers and an approve form for each. */
export function AdminProposals({ onApproved }: { onApproved: (r: Region) => void }) {
  const [list, error, reload] = useProposals();
  const [created, setCreated] = useState<Region | null>(null);
  return (
    <section class="proposals" aria-labelledby="proposals-title">
      <h2 id="proposals-title">Proposals</h2>
      <ErrorBox error={error} />
      {created && (
        <p class="ok" role="status">
          Region {created.name} ({created.id}) created, status {created.status}: it becomes active once its first gateway
          joins and heartbeats.
        </p>
      )}
      {list === null ? null : list.length === 0 ? (
        <p class="muted">No proposals: a waitlist cell raises one when enough devices wait in it.</p>
      ) : (
        <div class="grid">
          {list.map((p) => (
            <article key={p.id} class="card proposal" data-proposal={p.id} aria-labelledby={`proposal-${p.id}`}>
              <ProposalHead p={p} />
              <p>
                {plural(p.waiting_devices ?? 0, 'device')} waiting, {plural(p.waiting_gpus ?? 0, 'GPU')}
                <span class="muted small"> · raised at {p.devices_at_proposal} devices, {new Date(p.created_at ?? '').toLocaleDateString()}</span>
              </p>
              <h4>Volunteers</h4>
              {(p.volunteers ?? []).length === 0 ? <p class="muted">No volunteer yet.</p> : (
                <ul class="plain volunteers">
                  {(p.volunteers ?? []).map((v) => (
                    <li key={v.account_id} data-volunteer={v.account_id}>
                      <div><span class="mono small">{v.account_id}</span>{p.volunteer === v.account_id && <span class="badge badge-online">approved</span>}</div>
                      <HostingText h={v.hosting} />
                      {p.status === 'open' && (
                        <ApproveForm p={p} v={v} onApproved={(r) => { setCreated(r); onApproved(r); void reload(); }} />
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </article>
          ))}
        </div>
      )}
    </section>
  );
}

const HOSTING_FIELDS = ['gateway_endpoint', 'uplink_mbps', 'control_nodes', 'contact', 'note'] as const;

function VolunteerForm({ p, mine, onDone }: { p: RegionProposal; mine: ProposalVolunteer | undefined; onDone: () => void }) {
  const base = `volunteer-${p.id}`;
  const h = mine?.hosting;
  const [f, setF] = useState<HostingForm>({
    gateway_endpoint: h?.gateway_endpoint ?? '', uplink_mbps: h ? String(h.uplink_mbps) : '',
    control_nodes: h ? String(h.control_nodes) : '1', contact: h?.contact ?? '', note: h?.note ?? '',
  });
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<{ field: string; message: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof HostingForm) => (e: { currentTarget: { value: string } }) => { setF({ ...f, [k]: e.currentTarget.value }); setSaved(false); };
  const fe = (k: string) => (local?.field === k ? local.message : fieldMessage(error, k));
  const general = error && !HOSTING_FIELDS.some((k) => fieldMessage(error, k)) ? error : null;
  async function submit(e: Event) {
    e.preventDefault();
    setSaved(false);
    setError(null);
    const checked = hostingFromForm(f);
    if ('field' in checked) {
      setLocal(checked);
      return;
    }
    setLocal(null);
    setBusy(true);
    try {
      await api.volunteer(p.id ?? '', checked.hosting);
      setSaved(true);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const input = (k: keyof HostingForm, extra: Record<string, string | number> = {}) => (d: string | undefined, inv: 'true' | undefined) => (
    <input id={`${base}-${k}`} value={f[k]} onInput={set(k)} aria-describedby={d} aria-invalid={inv} {...extra} />
  );
  return (
    <form class="volunteer-form" onSubmit={submit} noValidate aria-label={`Volunteer to host ${p.cell}`}>
      <div class="form-grid">
        <Field id={`${base}-gateway_endpoint`} label="Gateway endpoint" help="Public host:port of the region's first gateway."
          error={fe('gateway_endpoint')}>{input('gateway_endpoint', { placeholder: '203.0.113.5:51820' })}</Field>
        <Field id={`${base}-uplink_mbps`} label="Uplink (Mbit/s)" help="At least 100." error={fe('uplink_mbps')}>
          {input('uplink_mbps', { inputMode: 'numeric' })}
        </Field>
        <Field id={`${base}-control_nodes`} label="Control nodes" help="1 to 7." error={fe('control_nodes')}>
          {input('control_nodes', { inputMode: 'numeric' })}
        </Field>
        <Field id={`${base}-contact`} label="Contact" help="How admins reach you." error={fe('contact')}>{input('contact')}</Field>
        <Field id={`${base}-note`} label="Note (optional)" error={fe('note')}>{input('note', { maxLength: 500 })}</Field>
      </div>
      <ErrorBox error={general} />
      <button type="submit" disabled={busy}>{busy ? 'Sending…' : mine ? 'Update my offer' : 'Volunteer to host'}</button>
      {saved && <p class="ok" role="status">Thanks: your offer is with the admins, who approve one volunteer per proposal.</p>}
    </form>
  );
}

/** A waitlisted owner: the proposals of their cells, their offer, and the volunteer form. */
export function OwnerProposals() {
  const { me } = useSession();
  const [list, error, reload] = useProposals();
  if (!error && (list === null || list.length === 0)) return null;
  return (
    <section class="card proposals waitlist" aria-labelledby="owner-proposals-title">
      <h2 id="owner-proposals-title">A region is proposed where your devices wait</h2>
      <p class="muted">
        Enough devices wait in your area for a new region. Someone nearby with a good uplink can host its gateway and
        control plane; admins approve one volunteer and the waiting devices are placed there.
      </p>
      <ErrorBox error={error} />
      {(list ?? []).map((p) => {
        const mine = p.volunteers?.find((v) => v.account_id === me?.id);
        return (
          <article key={p.id} class="proposal" data-proposal={p.id} aria-labelledby={`proposal-${p.id}`}>
            <ProposalHead p={p} />
            <p>{plural(p.waiting_devices ?? 0, 'device')} waiting, {plural(p.waiting_gpus ?? 0, 'GPU')}.</p>
            {mine && <p>Your offer: <HostingText h={mine.hosting} /></p>}
            {p.status === 'open' && <VolunteerForm p={p} mine={mine} onDone={() => void reload()} />}
          </article>
        );
      })}
    </section>
  );
}
