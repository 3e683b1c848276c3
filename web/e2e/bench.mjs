// Portal numbers (not asserted anywhere): the JavaScript bundle gzipped, time to first render
// of the devices page on loopback, and the admin devices page with many devices.
// Usage: node e2e/bench.mjs [ADMIN_DEVICES]   (run via bench/web-portal)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ADMIN, SIZES, apiSession, eventually, launchBrowser, seedDevices, startCoordinator, stopAll, tempDir, webDir,
} from './lib.mjs';

const fleet = Number(process.argv[2] ?? 10000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

let js = 0, css = 0;
for (const f of readdirSync(join(webDir, 'assets'))) {
  const gz = gzipSync(readFileSync(join(webDir, 'assets', f)), { level: 9 }).length;
  if (f.endsWith('.js')) js += gz;
  if (f.endsWith('.css')) css += gz;
}
console.log(`bundle: JavaScript ${(js / 1024).toFixed(1)} KB gzipped, CSS ${(css / 1024).toFixed(1)} KB gzipped`);
console.log(`load average before: ${load()}`);

const dir = tempDir();
// Pod CIDRs (/24 each) for every seeded worker: the default 10.42.0.0/16 holds 256.
const coord = await startCoordinator(`${dir.path}/coord`, ['--log-level', 'info', '--pod-prefix', '10.64.0.0/10']);
const browser = await launchBrowser();
try {
  const owner = await apiSession(coord.url, 'bench@hearth.test', 'bench-password-1', true);
  await seedDevices(coord.url, owner, 10, 'home');

  async function timeFirstRender(email, password, path, selector, runs = 7) {
    const ctx = await browser.newContext({ viewport: SIZES.desktop, baseURL: coord.url });
    const page = await ctx.newPage();
    await page.goto('/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/devices');
    const times = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(path);
      await page.locator(selector).first().waitFor();
      times.push(await page.evaluate(() => performance.now()));
    }
    return { ctx, page, ms: median(times) };
  }

  const own = await timeFirstRender('bench@hearth.test', 'bench-password-1', '/devices', 'tr[data-device-id]');
  console.log(`devices page (owner, 10 devices): first render ${own.ms.toFixed(0)} ms after navigation start (median of 7)`);
  await own.ctx.close();

  const t0 = Date.now();
  await seedDevices(coord.url, owner, fleet - 10, 'fleet');
  console.log(`seeded ${fleet} devices through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const admin = await apiSession(coord.url, ADMIN.email, ADMIN.password);
  const api = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    const r = await admin.get('/v1/admin/devices?limit=50&offset=5000');
    await r.json();
    api.push(performance.now() - s);
  }
  console.log(`GET /v1/admin/devices (page of 50 of ${fleet}): ${median(api).toFixed(0)} ms median`);
  for (const [name, path] of [['GET /v1/admin/devices?stats=1 (page of 50)', '/v1/admin/devices?limit=50&offset=5000&stats=1'],
    [`GET /v1/map (${fleet} devices)`, '/v1/map']]) {
    const ts = [];
    for (let i = 0; i < 7; i++) {
      const s0 = performance.now();
      await (await admin.get(path)).json();
      ts.push(performance.now() - s0);
    }
    console.log(`${name}: ${median(ts).toFixed(0)} ms median`);
  }
  const adm = await timeFirstRender(ADMIN.email, ADMIN.password, '/admin/devices', 'tr[data-device-id]');
  console.log(`admin devices page (${fleet} devices): first render ${adm.ms.toFixed(0)} ms after navigation start (median of 7)`);
  const page = adm.page;
  let s = performance.now();
  await page.getByRole('link', { name: 'Next →' }).click();
  await page.getByText(`Showing 51–100 of ${fleet}`).waitFor();
  console.log(`admin devices page: next page shown in ${(performance.now() - s).toFixed(0)} ms`);
  s = performance.now();
  await page.getByLabel('Search').fill(`fleet-${fleet - 11}`);
  await eventually(async () => (await page.locator('tr[data-device-id]').count()) === 1, 10000, 'search');
  console.log(`admin devices page: search result shown in ${(performance.now() - s).toFixed(0)} ms (incl. 250 ms typing debounce)`);
  const rows = await page.locator('tr[data-device-id]').count();
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  console.log(`admin devices page: ${rows} row(s) in the DOM, ${domNodes} elements`);
  await adm.ctx.close();
  console.log(`load average after: ${load()}`);
} finally {
  await browser.close();
  stopAll();
  await coord.exited;
  dir.remove();
}
