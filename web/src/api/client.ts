// The portal's only door to the coordinator: same-origin fetches with the session cookie,
// the CSRF token on every change, and errors surfaced as ApiError carrying the API's
// error.code / error.message / error.field.
import type {
  Account, AdminDevicePage, AdminDeviceQuery, ApiErrorBody, Device, DeviceAction, DeviceList, DeviceUptime, Health,
  EpochAudit, EpochList, Earnings, GatewayList, HostingDetails, PayoutBatch, InstallKeyList, Me, NetworkMap, NewInstallKey,
  ProposalList, Region, RegionList, RegionSpec, Session, VolunteerOffer, Withdrawal,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let csrfToken = '';

// Set while this browser has a session, so a first visit does not ask GET /v1/me for a 401
// (which the browser's console would report as an error).
const SIGNED_IN = 'hearth.signed-in';
export function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN) === '1';
  } catch {
    return true;
  }
}
function rememberSignedIn(yes: boolean): void {
  try {
    if (yes) localStorage.setItem(SIGNED_IN, '1');
    else localStorage.removeItem(SIGNED_IN);
  } catch {
    // Storage disabled: GET /v1/me is simply always asked.
  }
}

/** Remembers the CSRF token from sign-in or GET /v1/me for later changes. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token ?? '';
}

async function errorFrom(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as ApiErrorBody;
    return new ApiError(res.status, body.error.code, body.error.message, body.error.field);
  } catch {
    return new ApiError(res.status, 'http_' + res.status,
      `The coordinator answered ${res.status} ${res.statusText}.`);
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the coordinator. Check your connection and retry.');
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

export const api = {
  health: () => request<Health>('GET', '/healthz'),
  me: async (): Promise<Me> => {
    try {
      const me = await request<Me>('GET', '/v1/me');
      setCsrfToken(me.csrf_token);
      rememberSignedIn(true);
      return me;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) rememberSignedIn(false);
      throw e;
    }
  },
  signUp: (email: string, password: string) =>
    request<Account>('POST', '/v1/accounts', { email, password }),
  signIn: async (email: string, password: string): Promise<Session> => {
    const s = await request<Session>('POST', '/v1/sessions', { email, password });
    setCsrfToken(s.csrf_token);
    rememberSignedIn(true);
    return s;
  },
  signOut: async (): Promise<void> => {
    try {
      await request<undefined>('DELETE', '/v1/sessions/current');
    } finally {
      setCsrfToken('');
      rememberSignedIn(false);
    }
  },
  devices: (mine = false, stats = false) =>
    request<DeviceList>('GET', '/v1/devices' + query({ mine: mine ? '1' : undefined, stats: stats ? '1' : undefined })),
  device: (id: string, stats = false) =>
    request<Device>('GET', `/v1/devices/${encodeURIComponent(id)}` + (stats ? '?stats=1' : '')),
  deviceUptime: (id: string, days = 7) =>
    request<DeviceUptime>('GET', `/v1/devices/${encodeURIComponent(id)}/uptime?days=${days}`),
  renameDevice: (id: string, name: string) =>
    request<Device>('PATCH', `/v1/devices/${encodeURIComponent(id)}`, { name }),
  removeDevice: (id: string) =>
    request<undefined>('DELETE', `/v1/devices/${encodeURIComponent(id)}`),
  createInstallKey: () => request<NewInstallKey>('POST', '/v1/install-keys', {}),
  installKeys: () => request<InstallKeyList>('GET', '/v1/install-keys'),
  adminDevices: (q: AdminDeviceQuery) =>
    request<AdminDevicePage>('GET', '/v1/admin/devices' + query(q)),
  deviceAction: (id: string, action: DeviceAction) =>
    request<Device>('POST', `/v1/admin/devices/${encodeURIComponent(id)}/actions`, action),
  proposals: () => request<ProposalList>('GET', '/v1/regions/proposals'),
  volunteer: (id: string, hosting: HostingDetails) =>
    request<VolunteerOffer>('POST', `/v1/regions/proposals/${encodeURIComponent(id)}/volunteer`, hosting),
  approveProposal: (id: string, volunteer: string, region: RegionSpec) =>
    request<Region>('POST', `/v1/regions/proposals/${encodeURIComponent(id)}/approve`, { volunteer, region }),
  map: () => request<NetworkMap>('GET', '/v1/map'),
  regions: () => request<RegionList>('GET', '/v1/regions'),
  regionAction: (id: string, action: 'drain' | 'activate') =>
    request<Region>('POST', `/v1/regions/${encodeURIComponent(id)}/${action}`, {}),
  regionDevices: (id: string) => request<DeviceList>('GET', `/v1/regions/${encodeURIComponent(id)}/devices`),
  gateways: () => request<GatewayList>('GET', '/v1/gateways'),
  epochs: (q: { from?: string; to?: string } = {}) => request<EpochList>('GET', '/v1/admin/epochs' + query(q)),
  auditEpoch: (start: string) => request<EpochAudit>('GET', `/v1/admin/epochs/${encodeURIComponent(start)}/audit`),
  payoutBatches: () => request<{ payout_batches?: PayoutBatch[] }>('GET', '/v1/admin/payout-batches'),
  exportPayoutBatch: () => request<PayoutBatch>('POST', '/v1/admin/payout-batches', {}),
  finishPayoutBatch: (id: string, paid: boolean, txHash?: string) =>
    request<PayoutBatch>('POST', `/v1/admin/payout-batches/${encodeURIComponent(id)}/${paid ? 'paid' : 'failed'}`,
      paid ? { tx_hash: txHash } : {}),
  earnings: (q: { from?: string; to?: string; group?: 'day' | 'epoch'; owner?: string }) =>
    request<Earnings>('GET', '/v1/earnings' + query(q)),
  earningsCsvUrl: (q: { from?: string; to?: string }) => '/v1/earnings' + query({ ...q, format: 'csv' }),
  setPayoutAddress: (address: string) =>
    request<{ address?: string }>('PUT', '/v1/payout-address', { address }),
  withdrawals: () => request<{ withdrawals?: Withdrawal[] }>('GET', '/v1/withdrawals'),
  withdraw: (amount: number) => request<Withdrawal>('POST', '/v1/withdrawals', { amount }),
};
