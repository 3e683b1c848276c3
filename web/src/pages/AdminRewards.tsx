// Admin: reward epochs (settled, their inputs and what they paid, with a re-derive check that
// recomputes an epoch from the raw facts) and payout batches (export the requested withdrawals
// as an unsigned transaction, download it, mark it paid with the transaction hash or failed).
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { EpochAudit, EpochSummary, PayoutBatch } from '../api/types';
import { Empty, ErrorBox, Loading, PageTitle, usePoll } from '../components/common';
import { formatDuration } from '../view/format';
import { formatAkt, shortHash } from '../view/money';

const TX_HASH = /^[0-9a-fA-F]{64}$/;

function EpochRow({ e }: { e: EpochSummary }) {
  const [audit, setAudit] = useState<EpochAudit | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function check() {
    setBusy(true);
    setError(null);
    try {
      setAudit(await api.auditEpoch(e.start));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <tr data-epoch={e.start}>
      <td>
        <time dateTime={e.start}>{e.start.slice(0, 16).replace('T', ' ')}</time>
        <div class="muted small">policy {e.policy_version}</div>
      </td>
      <td>
        {formatAkt(e.revenue)}
        <div class="muted small">fee {(e.fee_bps / 100).toFixed(2)} % + {formatAkt(e.fixed_cost)}</div>
      </td>
      <td>
        {e.eligible} of {e.devices} eligible
        <div class="muted small">{formatDuration(e.online_seconds)} online</div>
      </td>
      <td>
        {formatAkt(e.operator)}
        <div class="muted small">usage {formatAkt(e.usage)} · participation {formatAkt(e.participation)}</div>
      </td>
      <td>
        <button type="button" class="secondary small" disabled={busy} onClick={() => void check()}
          aria-label={`Re-derive the epoch of ${e.start}`}>
          Re-derive
        </button>
        {audit && (audit.matches ? (
          <div class="ok small" role="status">Matches what was booked.</div>
        ) : (
          <div class="error small" role="alert">
            Differs: {(audit.differences ?? []).join('; ')}
          </div>
        ))}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}

function downloadTx(b: PayoutBatch) {
  const blob = new Blob([JSON.stringify(b.tx ?? {}, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `payout-${b.id ?? 'batch'}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function BatchRow({ b, onChanged }: { b: PayoutBatch; onChanged: (b: PayoutBatch) => void }) {
  const [hash, setHash] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<string | null>(null);
  async function finish(paid: boolean) {
    setError(null);
    if (paid && !TX_HASH.test(hash.trim())) {
      setError(new Error('Enter the 64-hex-digit transaction hash the broadcast printed (txhash).'));
      return;
    }
    try {
      const updated = await api.finishPayoutBatch(b.id ?? '', paid, hash.trim());
      onChanged(updated);
      setResult(paid ? 'Marked paid.' : 'Marked failed: the amounts went back to the owners’ balances.');
    } catch (err) {
      setError(err);
    }
  }
  const id = `tx-${b.id}`;
  return (
    <tr data-batch={b.id}>
      <td class="mono small">{b.id}<div class="muted">{b.created_at?.slice(0, 10)}</div></td>
      <td>{formatAkt(b.total)}<div class="muted small">{b.withdrawals?.length ?? 0} withdrawals</div></td>
      <td>
        <span class={`badge ${b.state === 'paid' ? 'badge-online' : b.state === 'failed' ? 'badge-offline' : 'badge-warn'}`}>
          {b.state}
        </span>
        {b.tx_hash && <div class="mono small" title={b.tx_hash}>{shortHash(b.tx_hash)}</div>}
      </td>
      <td>
        <button type="button" class="secondary small" onClick={() => downloadTx(b)}>Download transaction</button>
        {b.state === 'exported' && (
          <div class="batch-finish">
            <label for={id} class="small">Transaction hash</label>
            <div class="row">
              <input id={id} class="mono" value={hash} placeholder="64 hex digits" onInput={(e) => setHash(e.currentTarget.value)} />
              <button type="button" class="small" onClick={() => void finish(true)}>Mark paid</button>
              <button type="button" class="secondary small" onClick={() => void finish(false)}>Mark failed</button>
            </div>
          </div>
        )}
        {result && <p class="ok small" role="status">{result}</p>}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}

export function AdminRewardsPage() {
  const [epochs, setEpochs] = useState<EpochSummary[] | null>(null);
  const [batches, setBatches] = useState<PayoutBatch[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const [exported, setExported] = useState<string | null>(null);
  usePoll(async () => {
    try {
      const [e, b] = await Promise.all([api.epochs(), api.payoutBatches()]);
      setEpochs(e.epochs);
      setBatches([...(b.payout_batches ?? [])].reverse());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, 30000, []);
  async function exportBatch() {
    setExportError(null);
    setExported(null);
    try {
      const b = await api.exportPayoutBatch();
      setBatches((all) => [b, ...(all ?? [])]);
      setExported(`Exported ${b.id}: ${formatAkt(b.total)} to ${b.withdrawals?.length ?? 0} withdrawals. Sign it with the Akash CLI, broadcast it, then mark it paid.`);
    } catch (err) {
      setExportError(err);
    }
  }
  return (
    <section>
      <PageTitle title="Rewards">Rewards</PageTitle>
      <ErrorBox error={error} />
      <div class="card">
        <h2>Settled epochs, last 7 days</h2>
        {epochs === null ? (
          !error && <Loading what="epochs" />
        ) : epochs.length === 0 ? (
          <Empty title="No settled epochs yet">
            <p>Epochs settle once they are final and their revenue is entered (<code>PUT /v1/admin/epochs/…/revenue</code>).</p>
          </Empty>
        ) : (
          <div class="scroll">
            <table class="cells epochs">
              <thead>
                <tr>
                  <th scope="col">Epoch (UTC)</th>
                  <th scope="col">Revenue</th>
                  <th scope="col">Devices</th>
                  <th scope="col">Operator / pools</th>
                  <th scope="col">Check</th>
                </tr>
              </thead>
              <tbody>
                {epochs.map((e) => <EpochRow key={e.start} e={e} />)}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div class="card chart-card">
        <div class="page-head">
          <h2>Payout batches</h2>
          <button type="button" onClick={() => void exportBatch()}>Export requested withdrawals</button>
        </div>
        {exported && <p class="ok" role="status">{exported}</p>}
        <ErrorBox error={exportError} />
        {batches === null ? (
          !error && <Loading what="payout batches" />
        ) : batches.length === 0 ? (
          <p class="muted">No payout batches yet.</p>
        ) : (
          <div class="scroll">
            <table class="cells">
              <thead>
                <tr>
                  <th scope="col">Batch</th>
                  <th scope="col">Total</th>
                  <th scope="col">State</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {batches.map((b) => (
                  <BatchRow key={b.id} b={b}
                    onChanged={(u) => setBatches((all) => (all ?? []).map((x) => (x.id === u.id ? u : x)))} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
