// Every page of the portal, in one table. `access` decides who may open it; `nav` puts it in
// the header. Pages with heavy libraries are loaded lazily (components/lazy.tsx).
import type { JSX } from 'preact';
import { AdminDevicesPage } from './pages/AdminDevices';
import { AddDevicePage } from './pages/AddDevice';
import { AuthPage } from './pages/Auth';
import { DeviceDetailPage } from './pages/DeviceDetail';
import { DevicesPage } from './pages/Devices';
import { lazy } from './components/lazy';
import type { Params } from './router';

const MapPage = lazy(() => import('./pages/Map').then((m) => m.MapPage), 'map');

export type Access = 'public' | 'signed-in' | 'admin';

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
  { path: '/map', access: 'signed-in', nav: 'Map', render: () => <MapPage /> },
  { path: '/admin/devices', access: 'admin', nav: 'All devices', render: () => <AdminDevicesPage /> },
];
