// Every page of the portal, in one table. `access` decides who may open it; `nav` puts it in
// the header. Pages for data that does not exist yet (map, earnings, regions) are added here
// when their APIs land.
import type { JSX } from 'preact';
import { AdminDevicesPage } from './pages/AdminDevices';
import { AddDevicePage } from './pages/AddDevice';
import { AuthPage } from './pages/Auth';
import { DeviceDetailPage } from './pages/DeviceDetail';
import { DevicesPage } from './pages/Devices';
import type { Params } from './router';

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
  { path: '/admin/devices', access: 'admin', nav: 'All devices', render: () => <AdminDevicesPage /> },
];
