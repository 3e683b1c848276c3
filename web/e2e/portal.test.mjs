// Browser tests of the portal (ctest label e2e): headless Debian Chromium driven by
// playwright-core against a real `hearth serve`, with a real `hearth join` + `hearth agent`
// on fixture hardware. Every page is saved at 1280×800 and 360×740 in build/test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ADMIN, SIZES, apiSession, artifacts, binary, chromiumPath, copyFixture, eventually, fixturePath, joinAndRunAgent,
  launchBrowser, screenshots, seedDevices, startCoordinator, stopAll, tempDir, watchConsole, webDir,
} from './lib.mjs';

const OWNER = { email: 'owner@hearth.test', password: 'owner-password-e2e' };
let dir, coord, browser, ownerCtx, ownerPage, ownerErrors;

before(async () => {
  for (const [what, path] of [['hearth binary', binary], ['Chromium (scripts/install-deps)', chromiumPath],
    ['built portal (make build)', `${webDir}/index.html`]]) {
    assert.ok(existsSync(path), `missing ${what}: ${path}`);
  }
  dir = tempDir();
  // Threshold 1: a single device waiting in a cell raises a region proposal.
  coord = await startCoordinator(`${dir.path}/coord`, ['--waitlist-threshold-devices', '1']);
  browser = await launchBrowser();
  ownerCtx = await browser.newContext({ viewport: SIZES.desktop, baseURL: coord.url });
  ownerPage = await ownerCtx.newPage();
  ownerErrors = watchConsole(ownerPage);
  console.log(`# coordinator ${coord.url}; screenshots in ${artifacts}`);
});

after(async () => {
  await browser?.close();
  stopAll();
  await coord?.exited;
  dir?.remove();
});

test('an owner signs up, adds a device that appears live, renames and removes it', async () => {
  const page = ownerPage;
  await page.goto('/');
  await page.waitForURL('**/signin');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await screenshots(page, 'signin');

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL('**/signup');
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The API's own message for a too-short password is shown.
  await page.getByRole('alert').filter({ hasText: /10/ }).waitFor();
  await screenshots(page, 'signup-error');
  ownerErrors.length = 0;  // the refused sign-up's 400 is reported by the browser itself
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/devices');
  await page.getByRole('heading', { name: 'No devices yet' }).waitFor();
  await screenshots(page, 'devices-empty');

  await page.getByRole('link', { name: 'Add device', exact: true }).click();
  await page.waitForURL('**/devices/add');
  await screenshots(page, 'add-device');
  await page.getByRole('button', { name: 'Create install key' }).click();
  const command = await page.locator('#join-command').textContent();
  assert.match(command ?? '', /^hearth join --coordinator http:\/\/127\.0\.0\.1:\d+ ([a-z]+-){4}[a-z]+$/);
  const key = (command ?? '').split(' ').pop();
  // A region for Germany, so the device is placed by its declared country and shown on the map.
  const admin = await apiSession(coord.url, ADMIN.email, ADMIN.password);
  const region = await admin.post('/v1/regions', { id: 'eu-central', name: 'Frankfurt', location_region: 'eu-central',
    lat: 50.11, lon: 8.68, countries: ['DE'] });
  assert.equal(region.status, 201, await region.text());
  assert.equal(await page.locator('#install-progress').getAttribute('data-step'), 'waiting');
  await screenshots(page, 'add-device-waiting');

  // A real device joins: the page follows it without a reload.
  const { agent } = await joinAndRunAgent(coord.url, `${dir.path}/dev1`, 'rtx4090', key, ['--country', 'DE']);
  await page.locator('#install-progress[data-step="online"]').waitFor({ timeout: 30000 });
  await page.getByText('is online.').waitFor();
  await screenshots(page, 'add-device-online');

  await page.getByRole('link', { name: 'Devices', exact: true }).click();
  await page.waitForURL('**/devices');
  const row = page.locator('tr[data-device-id]');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent() ?? '', /Online/);
  assert.match(await row.textContent() ?? '', /RTX 4090/);
  assert.match(await row.textContent() ?? '', /eu-central/);
  await screenshots(page, 'devices');

  // The map shows it in Germany as the owner's own, beside the region.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Map' }).click();
  await page.waitForURL('**/map');
  const mine = page.locator('svg.world g.cell-mine[data-cell="DE/-/-"]');
  await mine.waitFor();
  assert.match(await mine.getAttribute('aria-label') ?? '', /Germany: 1 device, 1 yours/);
  await page.locator('svg.world g[data-region="eu-central"]').waitFor();
  // Keyboard: a focused marker is selected with Enter.
  await mine.focus();
  await page.keyboard.press('Enter');
  await page.locator('svg.world g.cell-mine[aria-pressed="true"]').waitFor();
  await page.locator('.map-details h3').filter({ hasText: 'Germany' }).waitFor();
  assert.match(await page.locator('.map-details').textContent() ?? '', /1 yours/);
  await screenshots(page, 'map');

  // Earnings: nothing yet; the payout address is checked as it is typed.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Earnings' }).click();
  await page.waitForURL('**/earnings');
  await page.getByRole('heading', { name: 'No earnings in this period' }).waitFor();
  await page.getByLabel('Payout address').fill('akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akq');
  await page.locator('#payout-address-hint').filter({ hasText: 'wrong checksum' }).waitFor();
  await screenshots(page, 'earnings-bad-address');
  await page.getByLabel('Payout address').fill('akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akz');
  await page.locator('#payout-address-hint').filter({ hasText: 'Valid Akash address' }).waitFor();
  await page.getByRole('button', { name: 'Save address' }).click();
  await page.getByRole('status').filter({ hasText: 'Payout address saved.' }).waitFor();
  await page.getByLabel('Withdraw (AKT)').fill('5');
  await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: /minimum withdrawal|available/ }).waitFor();
  await screenshots(page, 'earnings');
  await page.goto('/devices');

  await row.getByRole('link').first().click();
  await page.waitForURL(/\/devices\/dev_/);
  await page.getByRole('heading', { name: 'Hardware' }).waitFor();
  await page.getByText('RTX 4090', { exact: false }).first().waitFor();
  await screenshots(page, 'device-detail');

  await page.getByLabel('Name').fill('studio-pc');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('status').filter({ hasText: 'Renamed.' }).waitFor();
  await page.getByRole('heading', { name: 'studio-pc', level: 1 }).waitFor();

  await page.getByRole('button', { name: 'Remove device…' }).click();
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent() ?? '', /cannot be undone/);
  await screenshots(page, 'device-remove-confirm');
  await dialog.getByRole('button', { name: 'Yes, remove it' }).click();
  await page.waitForURL('**/devices');
  await page.getByRole('heading', { name: 'No devices yet' }).waitFor();
  // The removed device's agent is refused and exits (3: removed).
  assert.equal(await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r('still running'), 15000))]), 3);
  assert.deepEqual(ownerErrors, []);
});

test('an owner cannot reach admin pages, in the UI or the API', async () => {
  const page = ownerPage;
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  assert.equal(await nav.getByRole('link', { name: 'All devices' }).count(), 0);
  await page.goto('/admin/devices');
  await page.getByRole('heading', { name: 'Admins only' }).waitFor();
  await screenshots(page, 'admin-forbidden');
  const res = await page.request.get('/v1/admin/devices');
  assert.equal(res.status(), 403);
  assert.equal((await res.json()).error.code, 'admin_required');
  for (const path of ['/admin/regions', '/admin/rewards']) {
    await page.goto(path);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
  }
  const owner = await apiSession(coord.url, OWNER.email, OWNER.password);
  for (const [method, path] of [['post', '/v1/regions/eu-central/drain'], ['get', '/v1/admin/epochs'],
    ['get', '/v1/admin/payout-batches']]) {
    const r = await owner[method](path, {});
    assert.equal(r.status, 403, `${method} ${path}`);
  }
  await page.goto('/no-such-page');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await screenshots(page, 'not-found');
  assert.deepEqual(ownerErrors, []);
});

test('an admin searches, filters and pages through every device', async () => {
  const owner = await apiSession(coord.url, OWNER.email, OWNER.password);
  await seedDevices(coord.url, owner, 120, 'fleet');
  // Seeded devices never heartbeat: once they are offline every status below is settled.
  const admin = await apiSession(coord.url, ADMIN.email, ADMIN.password);
  await eventually(async () => (await (await admin.get('/v1/admin/devices?status=offline')).json()).total === 120,
    20000, 'the seeded devices to go offline');
  const ctx = await browser.newContext({ viewport: SIZES.desktop, baseURL: coord.url });
  const page = await ctx.newPage();
  const errors = watchConsole(page);
  await page.goto('/signin');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/devices');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All devices' }).click();
  await page.waitForURL('**/admin/devices');
  await page.getByText('Showing 1–50 of 120').waitFor();
  assert.equal(await page.locator('tr[data-device-id]').count(), 50);
  await screenshots(page, 'admin-devices');

  await page.getByRole('link', { name: 'Next →' }).click();
  await page.getByText('Showing 51–100 of 120').waitFor();
  assert.match(page.url(), /page=2/);

  await page.getByLabel('Search').fill('a100');
  await page.getByText('Showing 1–30 of 30').waitFor();
  await page.getByLabel('Search').fill('fleet-7');  // fleet-7 and fleet-70..79
  await page.getByText('of 11', { exact: false }).waitFor();
  await screenshots(page, 'admin-devices-search');

  await page.getByLabel('Status').selectOption('offline');
  await page.getByText('Showing 1–11 of 11').waitFor();
  await page.getByLabel('Status').selectOption('online');
  await page.getByRole('heading', { name: 'No device matches' }).waitFor();
  await screenshots(page, 'admin-devices-empty');
  // Server-side filters: GPU model and region (no seeded device was placed: none has evidence).
  await page.goto('/admin/devices?gpu=a100');
  await page.getByText('Showing 1–30 of 30').waitFor();
  await page.getByLabel('Region').selectOption('none');
  await page.getByText('Showing 1–30 of 30').waitFor();
  assert.match(page.url(), /gpu=a100/);
  assert.match(page.url(), /region=none/);
  await page.getByLabel('GPU').selectOption('any');
  await page.getByText('Showing 1–50 of 90').waitFor();
  await screenshots(page, 'admin-devices-filters');

  // Regions: the admin drains one and sees the outcome.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Regions' }).click();
  await page.waitForURL('**/admin/regions');
  const card = page.locator('article[data-region="eu-central"]');
  await card.getByRole('button', { name: 'Drain Frankfurt' }).click();
  await card.getByRole('status').filter({ hasText: 'Frankfurt is draining' }).waitFor();
  await card.locator('[data-status="draining"]').waitFor();
  assert.equal((await (await admin.get('/v1/regions')).json()).regions.find((r) => r.id === 'eu-central').status, 'draining');
  await card.getByRole('button', { name: 'Activate Frankfurt' }).waitFor();
  await screenshots(page, 'admin-regions');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rewards' }).click();
  await page.waitForURL('**/admin/rewards');
  await page.getByRole('heading', { name: 'No settled epochs yet' }).waitFor();
  await page.getByRole('button', { name: 'Export requested withdrawals' }).click();
  await page.getByRole('alert').filter({ hasText: /withdraw/i }).waitFor();  // nothing requested
  errors.length = 0;  // the refused export's 409 is reported by the browser itself
  await screenshots(page, 'admin-rewards');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/signin');
  await page.goto('/admin/devices');
  await page.waitForURL(/\/signin\?next=/);
  // Keyboard only: Tab goes from the email field to the password, Enter signs in and returns
  // to the page that was asked for.
  await page.getByLabel('Email').focus();
  await page.keyboard.type(ADMIN.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/admin/devices');
  await page.getByText('Showing 1–50 of 120').waitFor();
  assert.deepEqual(errors, []);
  await ctx.close();
});

async function signInAdmin() {
  const ctx = await browser.newContext({ viewport: SIZES.desktop, baseURL: coord.url });
  const page = await ctx.newPage();
  const errors = watchConsole(page);
  await page.goto('/signin');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/devices');
  return { ctx, page, errors };
}

test('an admin cordons, drains and bans a real device and sees each result', async () => {
  const owner = await apiSession(coord.url, OWNER.email, OWNER.password);
  const { key } = await (await owner.post('/v1/install-keys', {})).json();
  const { agent } = await joinAndRunAgent(coord.url, `${dir.path}/dev2`, 'cpu-only', key);
  const device = await eventually(async () =>
    (await (await owner.get('/v1/devices?mine=1')).json()).devices.find((d) => d.status === 'online'), 20000, 'the device online');
  const admin = await apiSession(coord.url, ADMIN.email, ADMIN.password);
  const { ctx, page, errors } = await signInAdmin();

  await page.goto(`/admin/devices?q=${device.id}`);
  const row = page.locator(`tr[data-device-id="${device.id}"]`);
  await row.locator('[data-admin-state="active"]').waitFor();
  await row.locator('[data-k8s-state="none"]').waitFor();  // no cluster in this region-less test
  await row.getByRole('link').first().click();
  await page.waitForURL(`**/devices/${device.id}`);
  const card = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Admin actions' }) });
  await card.waitFor();

  const steps = [['Cordon', 'cordoned', /No new workloads/], ['Drain', 'drained', /evicted/],
    ['Ban', 'banned', /node is deleted and its join token revoked; the device can no longer heartbeat/]];
  for (const [verb, state, effect] of steps) {
    await card.getByRole('button', { name: `${verb}…` }).click();
    const dialog = card.getByRole('alertdialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent() ?? '', effect);
    // The reason field has focus: type and confirm with the keyboard.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'action-reason');
    await page.keyboard.type(`e2e ${verb.toLowerCase()}`);
    if (verb === 'Ban') await screenshots(page, 'device-ban-confirm');
    await page.keyboard.press('Enter');
    await card.getByRole('status').filter({ hasText: `${verb} done` }).filter({ hasText: `is now ${state}` }).waitFor();
    await card.locator(`[data-admin-state="${state}"]`).waitFor();
    const d = await (await admin.get(`/v1/devices/${device.id}`)).json();
    assert.equal(d.admin_state, state);
    assert.equal(d.admin_reason, `e2e ${verb.toLowerCase()}`);
  }
  // Banned: only unban is offered; the detail page shows the state beside the Kubernetes node.
  assert.deepEqual(await card.getByRole('button').allTextContents(), ['Unban…']);
  await page.locator('dd [data-admin-state="banned"]').waitFor();
  await screenshots(page, 'device-admin-actions');
  // The banned device can no longer heartbeat: it goes offline.
  await eventually(async () => (await (await admin.get(`/v1/devices/${device.id}`)).json()).status !== 'online',
    20000, 'the banned device to stop heartbeating');

  await page.goto(`/admin/devices?q=${device.id}`);
  await row.locator('[data-admin-state="banned"]').waitFor();
  await screenshots(page, 'admin-devices-states');
  agent.child.kill('SIGTERM');
  await agent.exited;
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a waitlisted owner volunteers for a proposal and an admin approves them', async () => {
  const owner = await apiSession(coord.url, OWNER.email, OWNER.password);
  const { key } = await (await owner.post('/v1/install-keys', {})).json();
  const { agent } = await joinAndRunAgent(coord.url, `${dir.path}/dev3`, 'rtx4090', key, ['--country', 'KE']);
  const admin = await apiSession(coord.url, ADMIN.email, ADMIN.password);
  const proposal = await eventually(async () =>
    (await (await admin.get('/v1/regions/proposals')).json()).proposals.find((p) => p.cell === 'KE/-/-'), 20000, 'a proposal for Kenya');

  const page = ownerPage;
  await page.goto('/devices');
  const offer = page.locator(`article[data-proposal="${proposal.id}"]`);
  await offer.waitFor();
  assert.match(await offer.textContent() ?? '', /Kenya/);
  await offer.getByLabel('Gateway endpoint').fill('198.51.100.20:70000');
  await offer.getByLabel('Uplink (Mbit/s)').fill('50');
  await offer.getByLabel('Control nodes').fill('3');
  await offer.getByLabel('Contact').fill('owner@hearth.test');
  await offer.getByRole('button', { name: 'Volunteer to host' }).click();
  // Checked in the browser first, shown beside its field.
  await offer.locator(`#volunteer-${proposal.id}-uplink_mbps-error`).filter({ hasText: '100' }).waitFor();
  await offer.getByLabel('Uplink (Mbit/s)').fill('500');
  await offer.getByRole('button', { name: 'Volunteer to host' }).click();
  // The coordinator's own message for its field.
  await offer.locator(`#volunteer-${proposal.id}-gateway_endpoint-error`).filter({ hasText: 'host:port' }).waitFor();
  assert.equal(await offer.getByLabel('Gateway endpoint').getAttribute('aria-invalid'), 'true');
  await screenshots(page, 'devices-volunteer-error');
  ownerErrors.length = 0;  // the refused offer's 400 is reported by the browser itself
  await offer.getByLabel('Gateway endpoint').fill('198.51.100.20:51820');
  await offer.getByRole('button', { name: 'Volunteer to host' }).click();
  await offer.getByRole('status').filter({ hasText: 'your offer is with the admins' }).waitFor();
  await offer.getByText('Your offer:').waitFor();
  await screenshots(page, 'devices-volunteer');
  assert.deepEqual(ownerErrors, []);

  const { ctx, page: ap, errors } = await signInAdmin();
  await ap.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Regions' }).click();
  await ap.waitForURL('**/admin/regions');
  const card = ap.locator(`article[data-proposal="${proposal.id}"]`);
  const vol = card.locator('li[data-volunteer]');
  await vol.waitFor();
  assert.match(await vol.textContent() ?? '', /198\.51\.100\.20:51820 · 500 Mbit\/s up · 3 control nodes · contact owner@hearth\.test/);
  await card.getByLabel('Region id').fill('Af East');
  await card.getByLabel('Name', { exact: true }).fill('Nairobi');
  await card.getByLabel('Akash location-region').selectOption('af-east');
  await screenshots(ap, 'admin-proposals');
  await card.getByRole('button', { name: 'Approve this volunteer' }).click();
  await card.locator('[id$="-id-error"]').waitFor();
  assert.equal(await card.getByLabel('Region id').getAttribute('aria-invalid'), 'true');
  await screenshots(ap, 'admin-proposals-error');
  errors.length = 0;  // the refused approval's 400
  await card.getByLabel('Region id').fill('af-east');
  // A country-only cell has no centre to default to.
  await card.getByLabel('Latitude').fill('-1.29');
  await card.getByLabel('Longitude').fill('36.82');
  await card.getByRole('button', { name: 'Approve this volunteer' }).click();
  await ap.getByRole('status').filter({ hasText: 'Region Nairobi (af-east) created, status bootstrapping' }).waitFor();
  await ap.locator('article[data-region="af-east"] [data-status="bootstrapping"]').waitFor();
  await card.locator('[data-status="approved"]').waitFor();
  const region = (await (await admin.get('/v1/regions')).json()).regions.find((r) => r.id === 'af-east');
  assert.equal(region.status, 'bootstrapping');
  assert.equal(region.location_region, 'af-east');
  await screenshots(ap, 'admin-proposals-approved');
  assert.deepEqual(errors, []);
  await ctx.close();
  agent.child.kill('SIGTERM');
  await agent.exited;
});

test('a GPU added to a running device shows as an upgrade event', async () => {
  // The agent reads its hardware from a copy of the fixture tree, which the test then changes.
  const host = copyFixture(fixturePath('rtx4090'), `${dir.path}/host-upgrade`);
  const owner = await apiSession(coord.url, OWNER.email, OWNER.password);
  const { key } = await (await owner.post('/v1/install-keys', {})).json();
  const { joinOutput, agent } = await joinAndRunAgent(coord.url, `${dir.path}/dev4`, 'rtx4090', key, [],
    { root: host, agentExtra: ['--inventory-interval', '1s'] });
  const id = /Enrolled as device (\S+) /.exec(joinOutput)?.[1];
  assert.ok(id, joinOutput);
  const device = async () => (await owner.get(`/v1/devices/${id}`)).json();
  // Its first heartbeat: the agent runs (online, or waitlisted without a region nearby).
  await eventually(async () => (await device()).heartbeat?.uptime_seconds !== undefined, 20000, 'a heartbeat');

  const page = ownerPage;
  await page.goto(`/devices/${id}`);
  const card = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Hardware', exact: true }) });
  await card.getByText('No hardware changes since enrollment').waitFor();
  assert.equal(await card.locator('.hw-changes li').count(), 0);

  // An RTX 3090 appears in a free slot, as if fitted while the agent runs.
  copyFixture(fixturePath('dual-3090', 'sys/bus/pci/devices/0000:21:00.0'), join(host, 'sys/bus/pci/devices/0000:21:00.0'));
  const event = card.getByRole('list', { name: 'Changes' }).locator(':scope > li[data-kind="upgrade"]');
  await event.filter({ hasText: 'Hardware upgrade' }).filter({ hasText: 'GPU added' }).filter({ hasText: 'RTX 3090' })
    .waitFor({ timeout: 30000 });
  assert.equal(await event.count(), 1);
  assert.match(await event.textContent() ?? '', /GPU added: NVIDIA RTX 3090 .*in slot 0000:21:00\.0/);
  assert.ok(Date.parse(await event.locator('time').getAttribute('datetime') ?? '') > 0);
  assert.equal(await card.getByText('No hardware changes since enrollment').count(), 0);
  // The current hardware above the events lists both cards.
  await card.locator('dl li').filter({ hasText: 'RTX 3090' }).waitFor();
  assert.equal(await card.locator('dl li').filter({ hasText: /RTX (3090|4090)/ }).count(), 2);

  const d = await device();
  assert.equal(d.hardware_changes?.length, 1, JSON.stringify(d.hardware_changes));
  assert.equal(d.hardware_changes[0].kind, 'upgrade');
  assert.equal(d.hardware_changes[0].changes[0].type, 'gpu_added', JSON.stringify(d.hardware_changes));
  assert.equal(d.hardware_changes[0].changes[0].after.pci_address, '0000:21:00.0');
  assert.equal(d.inventory.gpus.length, 2, JSON.stringify(d.inventory.gpus));

  // Phone width: the event wraps instead of widening the page.
  await page.setViewportSize(SIZES.phone);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'the device page overflows at 360 px');
  await page.setViewportSize(SIZES.desktop);
  await screenshots(page, 'device-hardware-upgrade');

  agent.child.kill('SIGTERM');
  await agent.exited;
  assert.deepEqual(ownerErrors, []);
});
