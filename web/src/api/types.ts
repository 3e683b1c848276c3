// Names for the API's wire types. Everything here is derived from schema.gen.ts, which
// `npm run gen` generates from api/openapi.yaml: never write a wire type by hand.
import type { components, paths } from './schema.gen';

type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type ApiErrorBody = Schemas['Error'];
export type Account = Schemas['Account'];
export type Session = Schemas['Session'];
export type Device = Schemas['Device'];
export type DeviceStatus = Device['status'];
export type Inventory = Schemas['Inventory'];
export type Gpu = NonNullable<Inventory['gpus']>[number];
export type InstallKey = Schemas['InstallKey'];
export type NewInstallKey = Schemas['NewInstallKey'];
export type Heartbeat = Schemas['Heartbeat'];
export type Me = Json<paths['/v1/me']['get']['responses'][200]>;
export type DeviceList = Json<paths['/v1/devices']['get']['responses'][200]>;
export type InstallKeyList = Json<paths['/v1/install-keys']['get']['responses'][200]>;
export type AdminDevicePage = Json<paths['/v1/admin/devices']['get']['responses'][200]>;
export type AdminDeviceQuery = NonNullable<paths['/v1/admin/devices']['get']['parameters']['query']>;
export type Health = Json<paths['/healthz']['get']['responses'][200]>;
export type NetworkMap = Schemas['NetworkMap'];
export type MapCell = NetworkMap['cells'][number];
export type MapRegion = NetworkMap['regions'][number];
export type Earnings = Json<paths['/v1/earnings']['get']['responses'][200]>;
export type Withdrawal = Schemas['Withdrawal'];
export type PayoutBatch = Schemas['PayoutBatch'];
export type DeviceUptime = Json<paths['/v1/devices/{id}/uptime']['get']['responses'][200]>;
export type DeviceStats = Schemas['DeviceStats'];
export type Region = Schemas['Region'];
export type RegionList = Json<paths['/v1/regions']['get']['responses'][200]>;
export type GatewayList = Json<paths['/v1/gateways']['get']['responses'][200]>;
export type Gateway = GatewayList['gateways'][number];
export type EpochList = Json<paths['/v1/admin/epochs']['get']['responses'][200]>;
export type EpochSummary = EpochList['epochs'][number];
export type EpochAudit = Json<paths['/v1/admin/epochs/{start}/audit']['get']['responses'][200]>;
export type AdminState = NonNullable<Device['admin_state']>;
export type KubeState = NonNullable<NonNullable<Device['k8s']>['state']>;
export type DeviceAction = Schemas['DeviceAction'];
export type DeviceActionName = DeviceAction['action'];
export type RegionSpec = Schemas['RegionSpec'];
export type HostingDetails = Schemas['HostingDetails'];
export type RegionProposal = Schemas['RegionProposal'];
export type ProposalVolunteer = NonNullable<RegionProposal['volunteers']>[number];
export type ProposalList = Json<paths['/v1/regions/proposals']['get']['responses'][200]>;
export type VolunteerOffer = Schemas['VolunteerOffer'];
