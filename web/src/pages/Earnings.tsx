// Earnings: what the owner's devices earned per day (usage vs participation), totals and
// balances, a CSV download, the payout address (bech32 checked as it is typed), withdrawals
// (the minimum shown) and the payout history with transaction hashes.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Earnings, Withdrawal } from '../api/types';
import { EarningsChart } from '../components/EarningsChart';
import { Empty, ErrorBox, Loading, PageTitle, usePoll } from '../components/common';
import { navigate, useLocation } from '../router';
import { addressHint } from '../view/bech32';
import { dailySeries, formatAkt, parseAkt, shortHash, withdrawalProblem } from '../view/money';

const RANGES = [7, 30, 90] as const;

function rangeFrom(days: number, now: number): string {
  const dayMs = 86_400_000;
  return new Date(Math.floor(now / dayMs) * dayMs - (days - 1) * dayMs).toISOString();
}

function AddressForm({ current, onSaved }: { current: string | null; onSaved: (a: string) => void }) {
  const [text, setText] = useState(current ?? '');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const hint = addressHint(text);
  async function submit(e: Event) {
    e.preventDefault();
    setSaved(false);
    if (hint.state !== 'valid') {
      setError(new Error(hint.state === 'empty' ? 'Enter your Akash wallet address (akash1…).' : hint.message));
      return;
    }
    setBusy(true);
    try {
      const r = await api.setPayoutAddress(text.trim());
      onSaved(r.address ?? text.trim());
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="inline-form" onSubmit={submit} noValidate>
      <label for="payout-address">Payout address</label>
      <div class="row">
        <input id="payout-address" class="mono" value={text} autoComplete="off" spellcheck={false}
          placeholder="akash1…" aria-describedby="payout-address-hint"
          aria-invalid={hint.state === 'invalid' ? 'true' : undefined}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setSaved(false);
            setError(null);
          }} />
        <button type="submit" class="secondary" disabled={busy}>Save address</button>
      </div>
      <p id="payout-address-hint" class={`help hint-${hint.state}`} aria-live="polite">
        {hint.message || 'Your Akash wallet (akash1…). Withdrawals are paid to it.'}
      </p>
      {saved && <p class="ok" role="status">Payout address saved.</p>}
      <ErrorBox error={error} />
    </form>
  );
}

function WithdrawForm({ e, address, onDone }: { e: Earnings; address: string | null; onDone: () => void }) {
  const available = e.balance?.available ?? 0;
  const minimum = e.min_withdrawal ?? 0;
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Withdrawal | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(ev: Event) {
    ev.preventDefault();
    setDone(null);
    const parsed = parseAkt(text);
    if ('error' in parsed) {
      setError(new Error(parsed.error));
      return;
    }
    const problem = withdrawalProblem(parsed.uakt, available, minimum, !!address);
    if (problem) {
      setError(new Error(problem));
      return;
    }
    setBusy(true);
    try {
      setDone(await api.withdraw(parsed.uakt));
      setError(null);
      setText('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="inline-form" onSubmit={submit} noValidate>
      <label for="withdraw-amount">Withdraw (AKT)</label>
      <div class="row">
        <input id="withdraw-amount" inputMode="decimal" value={text} placeholder={formatAkt(minimum, false)}
          aria-describedby="withdraw-help" onInput={(ev) => setText(ev.currentTarget.value)} />
        <button type="button" class="secondary" onClick={() => setText(formatAkt(available, false).replace(/,/g, ''))}
          disabled={available <= 0}>All</button>
        <button type="submit" disabled={busy}>Withdraw</button>
      </div>
      <p id="withdraw-help" class="help">
        Available {formatAkt(available)} · minimum {formatAkt(minimum)}. Payouts are sent in batches by the network operator.
      </p>
      {done && <p class="ok" role="status">Withdrawal of {formatAkt(done.amount)} requested.</p>}
      <ErrorBox error={error} />
    </form>
  );
}

const STATE_TEXT: Record<string, string> = {
  requested: 'Requested', batched: 'In a payout batch', paid: 'Paid', failed: 'Failed (returned to your balance)',
};

function History({ withdrawals }: { withdrawals: Withdrawal[] }) {
  if (withdrawals.length === 0) return <p class="muted">No withdrawals yet.</p>;
  return (
    <table class="cells history">
      <thead>
        <tr>
          <th scope="col">Requested</th>
          <th scope="col">Amount</th>
          <th scope="col">State</th>
          <th scope="col">Transaction</th>
        </tr>
      </thead>
      <tbody>
        {withdrawals.map((w) => (
          <tr key={w.id} data-withdrawal={w.id}>
            <td>{w.created_at ? new Date(w.created_at).toLocaleDateString() : '—'}</td>
            <td>{formatAkt(w.amount)}</td>
            <td>{STATE_TEXT[w.state ?? ''] ?? w.state}</td>
            <td class="mono small">
              {w.tx_hash ? <span title={w.tx_hash}>{shortHash(w.tx_hash)}</span> : <span class="muted">—</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EarningsPage() {
  const { search } = useLocation();
  const days = RANGES.find((r) => String(r) === search.get('days')) ?? 30;
  const [data, setData] = useState<Earnings | null>(null);
  const [withdrawals, setWithdrawals] = useState<Withdrawal[] | null>(null);
  const [address, setAddress] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const from = useMemo(() => rangeFrom(days, Date.now()), [days]);

  async function load() {
    try {
      const [e, w] = await Promise.all([api.earnings({ from, group: 'day' }), api.withdrawals()]);
      setData(e);
      setWithdrawals(w.withdrawals ?? []);
      setAddress((a) => (a === undefined ? (e.payout_address ?? null) : a));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }
  usePoll(load, 60000, [from]);
  const series = useMemo(() => (data ? dailySeries(data) : null), [data]);

  let body;
  if (!data || !series || withdrawals === null || address === undefined) {
    body = !error && <Loading what="your earnings" />;
  } else {
    const total = data.total ?? {};
    const bal = data.balance ?? {};
    const devices = [...(data.devices ?? [])].sort((a, b) => (b.total ?? 0) - (a.total ?? 0));
    body = (
      <>
        <div class="grid stats">
          <div class="card">
            <h2>Last {days} days</h2>
            <p class="big" data-total={total.total ?? 0}>{formatAkt(total.total)}</p>
            <p class="muted small">
              <span class="swatch swatch-usage" aria-hidden="true" /> usage {formatAkt(total.usage)} ·{' '}
              <span class="swatch swatch-participation" aria-hidden="true" /> participation {formatAkt(total.participation)}
            </p>
          </div>
          <div class="card">
            <h2>Balance</h2>
            <p class="big">{formatAkt(bal.available)}</p>
            <p class="muted small">in flight {formatAkt(bal.in_flight)} · paid out {formatAkt(bal.paid)}</p>
          </div>
        </div>
        <div class="card chart-card">
          <div class="page-head">
            <h2>Per day</h2>
            <a class="button secondary-button" href={api.earningsCsvUrl({ from })} download="earnings.csv">Download CSV</a>
          </div>
          {(total.total ?? 0) === 0 ? (
            <Empty title="No earnings in this period">
              <p>Devices earn for every settled hour they are online after their probation period, and more when they run work.</p>
            </Empty>
          ) : (
            <EarningsChart series={series} label={`Earnings per day over the last ${days} days: usage and participation`} />
          )}
          <p class="muted small">
            <strong>Usage</strong>: your share of the leases your devices ran. <strong>Participation</strong>: every online,
            eligible device's share by capacity × uptime, paid even when the scheduler left it idle.
          </p>
        </div>
        {devices.length > 0 && (
          <div class="card">
            <h2>By device</h2>
            <table class="cells">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Usage</th>
                  <th scope="col">Participation</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.device_id}>
                    <td><a href={`/devices/${d.device_id}`}>{d.name || d.device_id}</a></td>
                    <td>{formatAkt(d.usage)}</td>
                    <td>{formatAkt(d.participation)}</td>
                    <td>{formatAkt(d.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="grid">
          <div class="card">
            <h2>Payout</h2>
            <AddressForm current={address} onSaved={setAddress} />
            <WithdrawForm e={data} address={address} onDone={() => void load()} />
          </div>
          <div class="card">
            <h2>Payout history</h2>
            <History withdrawals={withdrawals} />
          </div>
        </div>
      </>
    );
  }
  return (
    <section>
      <div class="page-head">
        <PageTitle title="Earnings">Earnings</PageTitle>
        <div>
          <label for="range" class="inline-label">Period</label>
          <select id="range" value={String(days)} onChange={(e) => navigate(`/earnings?days=${e.currentTarget.value}`, true)}>
            {RANGES.map((r) => <option key={r} value={String(r)}>Last {r} days</option>)}
          </select>
        </div>
      </div>
      <ErrorBox error={error} />
      {body}
    </section>
  );
}
