// Admin: every device in the network, searched and filtered on the server and shown one page
// at a time (usable with tens of thousands of devices). Filters live in the URL.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { AdminDevicePage } from '../api/types';
import { Empty, ErrorBox, Loading, PageTitle, usePoll, useTick } from '../components/common';
import { navigate, useLocation } from '../router';
import { pageInfo } from '../view/format';
import { DeviceTable } from './Devices';

const PAGE_SIZE = 50;
const STATUSES = ['', 'online', 'stale', 'offline'] as const;

interface Filters {
  region: string;
  gpu: string;
  owner: string;
}

function href(q: string, status: string, page: number, f: Filters = { region: '', gpu: '', owner: '' }): string {
  const p = new URLSearchParams();
  if (q) p.set('q', q);
  if (status) p.set('status', status);
  if (f.region) p.set('region', f.region);
  if (f.gpu) p.set('gpu', f.gpu);
  if (f.owner) p.set('owner', f.owner);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return '/admin/devices' + (s ? '?' + s : '');
}

export function AdminDevicesPage() {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const status = search.get('status') ?? '';
  const page = Math.max(1, Number(search.get('page')) || 1);
  const f: Filters = { region: search.get('region') ?? '', gpu: search.get('gpu') ?? '', owner: search.get('owner') ?? '' };
  const [owner, setOwner] = useState(f.owner);
  const [regions, setRegions] = useState<string[]>([]);
  useEffect(() => {
    api.regions().then((r) => setRegions(r.regions.map((x) => x.id ?? '').filter(Boolean)), () => undefined);
  }, []);
  const [text, setText] = useState(q);
  const [data, setData] = useState<AdminDevicePage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useTick(10000);

  // Search as you type, a moment after the last key.
  useEffect(() => {
    if (text === q) return;
    const t = setTimeout(() => navigate(href(text.trim(), status, 1, f), true), 250);
    return () => clearTimeout(t);
  }, [text]);

  usePoll(async () => {
    try {
      const offset = (page - 1) * PAGE_SIZE;
      const st = STATUSES.find((s) => s === status) || undefined;
      setData(await api.adminDevices({
        q: q || undefined, status: st, limit: PAGE_SIZE, offset, stats: '1',
        region: f.region || undefined, gpu: f.gpu || undefined, owner: f.owner || undefined,
      }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 10000, [q, status, page, f.region, f.gpu, f.owner]);

  const info = pageInfo(data?.total ?? 0, page, PAGE_SIZE);
  const all = data ? data.counts.online + data.counts.stale + data.counts.offline : 0;
  return (
    <section>
      <PageTitle title="All devices">All devices</PageTitle>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); navigate(href(text.trim(), status, 1, { ...f, owner: owner.trim() })); }}>
        <div>
          <label for="search">Search</label>
          <input id="search" type="search" placeholder="name, id, owner, host or GPU" value={text}
            onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div>
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => navigate(href(q, e.currentTarget.value, 1, f))}>
            <option value="">All ({all})</option>
            <option value="online">Online ({data?.counts.online ?? 0})</option>
            <option value="stale">Stale ({data?.counts.stale ?? 0})</option>
            <option value="offline">Offline ({data?.counts.offline ?? 0})</option>
          </select>
        </div>
        <div>
          <label for="region-filter">Region</label>
          <select id="region-filter" value={f.region} onChange={(e) => navigate(href(q, status, 1, { ...f, region: e.currentTarget.value }))}>
            <option value="">Any region</option>
            <option value="none">Not placed</option>
            {regions.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <div>
          <label for="gpu-filter">GPU</label>
          <select id="gpu-filter" value={f.gpu} onChange={(e) => navigate(href(q, status, 1, { ...f, gpu: e.currentTarget.value }))}>
            <option value="">Any hardware</option>
            <option value="any">With GPUs</option>
            <option value="none">Without GPUs</option>
            {['rtx4090', 'rtx3090', 'a100', 'h100'].map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </div>
        <div>
          <label for="owner-filter">Owner</label>
          <input id="owner-filter" type="search" placeholder="email or account id" value={owner}
            onInput={(e) => setOwner(e.currentTarget.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); navigate(href(q, status, 1, { ...f, owner: owner.trim() })); } }} />
        </div>
      </form>
      <ErrorBox error={error} />
      {!data ? (
        !error && <Loading what="devices" />
      ) : data.total === 0 ? (
        <Empty title={q || status || f.region || f.gpu || f.owner ? 'No device matches' : 'No devices in the network yet'}>
          {(q || status || f.region || f.gpu || f.owner) && <a href="/admin/devices">Clear the filters</a>}
        </Empty>
      ) : (
        <>
          <p class="summary" aria-live="polite">
            Showing {info.first}–{info.last} of {data.total}
          </p>
          <DeviceTable devices={data.devices} now={now} showOwner />
          <nav class="pager" aria-label="Pages">
            {info.current > 1 ? <a href={href(q, status, info.current - 1, f)} rel="prev">← Previous</a> : <span />}
            <span>
              Page {info.current} of {info.pages}
            </span>
            {info.current < info.pages ? <a href={href(q, status, info.current + 1, f)} rel="next">Next →</a> : <span />}
          </nav>
        </>
      )}
    </section>
  );
}
