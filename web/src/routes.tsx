// Every page of the portal, in one table. `access` decides who may open it; `nav` puts it in
// the header. Pages with heavy libraries are loaded lazily (components/lazy.tsx).
import type { JSX } from 'preact';
import { AdminDevicesPage } from './pages/AdminDevices';
import { AdminRegionsPage } from './pages/AdminRegions';
import { AdminRewardsPage } from './pages/AdminRewards';
import { AddDevicePage } from './pages/AddDevice';
import { AuthPage } from './pages/Auth';
import { DeviceDetailPage } from './pages/DeviceDetail';
import { DevicesPage } from './pages/Devices';
import { lazy } from './components/lazy';
import type { Params } from './router';

const MapPage = lazy(() => import('./pages/Map').then((m) => m.MapPage), 'map');
const EarningsPage = lazy(() => import('./pages/Earnings').then((m) => m.EarningsPage), 'earnings');

// 'region-admin': network admins and accounts that administer a region (GET /v1/me).
export type Access = 'public' | 'signed-in' | 'admin' | 'region-admin';

export interface Route {
  path: string;
  access: Access;
  render: (p: Params) => JSX.Element;
  nav?: string;
}

export const routes: Route[] = [
  { path: '/signin', access: 'public', render: () => <AuthPage mode="signin" /> },
  { path: '/signup', access: 'public', render: () => <AuthPage mode="signup" /> },
  { path: '/devices', access: 'signed-in', nav: 'Devices', render: () => <DevicesPage /> },
  { path: '/devices/add', access: 'signed-in', render: () => <AddDevicePage /> },
  { path: '/devices/:id', access: 'signed-in', render: (p) => <DeviceDetailPage id={p.id ?? ''} /> },
  { path: '/earnings', access: 'signed-in', nav: 'Earnings', render: () => <EarningsPage /> },
  { path: '/map', access: 'signed-in', nav: 'Map', render: () => <MapPage /> },
  { path: '/admin/devices', access: 'admin', nav: 'All devices', render: () => <AdminDevicesPage /> },
  { path: '/admin/regions', access: 'region-admin', nav: 'Regions', render: () => <AdminRegionsPage /> },
  { path: '/admin/rewards', access: 'admin', nav: 'Rewards', render: () => <AdminRewardsPage /> },
];
