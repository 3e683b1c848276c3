// Helpers for the portal's browser tests and benchmark: a real `hearth serve` on a free
// loopback port with a temporary data directory, real `hearth join` / `hearth agent`
// processes on fixture hardware, headless Debian Chromium, and screenshots at two sizes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const sourceDir = process.env.HEARTH_SOURCE_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const binary = process.env.HEARTH_BINARY ?? join(sourceDir, 'build/hearth');
export const artifacts = process.env.HEARTH_ARTIFACTS ?? join(sourceDir, 'build/test-artifacts');
export const webDir = process.env.HEARTH_WEB_DIR ?? join(sourceDir, 'web/dist');
export const chromiumPath = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN = { email: 'admin@hearth.test', password: 'admin-password-e2e' };
export const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } };

const children = new Set();

/** Polls `fn` every 50 ms until it returns a truthy value or `ms` pass. */
export async function eventually(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
}

export function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
  return { path: d, remove: () => rmSync(d, { recursive: true, force: true }) };
}

/** Spawns a process whose output is kept; `exited` resolves to its exit code. */
export function run(args, opts = {}) {
  const child = spawn(binary, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.on('exit', (code, signal) => {
    children.delete(child);
    r(code ?? (signal ? 128 : -1));
  }));
  return { child, exited, output: () => output };
}

export function stopAll() {
  for (const c of children) c.kill('SIGTERM');
}

/** Starts `hearth serve` on 127.0.0.1:0; resolves when it logs its address. */
export async function startCoordinator(dataDir, extra = []) {
  const p = run(['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--web-dir', webDir,
    '--heartbeat-interval', '1s', '--offline-after', '5s', '--auth-rate-limit', '0', ...extra],
  { env: { HEARTH_ADMIN_EMAIL: ADMIN.email, HEARTH_ADMIN_PASSWORD: ADMIN.password } });
  const port = await eventually(() => /coordinator listening address=127\.0\.0\.1:(\d+)/.exec(p.output())?.[1],
    15000, 'the coordinator to listen').catch((e) => {
    throw new Error(`${e.message}\n${p.output()}`);
  });
  return { ...p, url: `http://127.0.0.1:${port}` };
}

/** A fixture host's tree (tests/fixtures/hosts/NAME) or one directory of it. */
export function fixturePath(host, ...parts) {
  return join(sourceDir, 'tests/fixtures/hosts', host, ...parts);
}

/**
 * Copies a fixture path to `to` (recursively, symlinks as they are: the trees link within
 * themselves), so a test can change the hardware under a running agent.
 */
export function copyFixture(from, to) {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
  return to;
}

/**
 * `hearth join` with a fixture host's hardware, then `hearth agent`; returns both. `root`
 * replaces the fixture tree of `host` (e.g. a copyFixture copy); `agentExtra` are more agent flags.
 */
export async function joinAndRunAgent(url, stateDir, host, key, extra = [], { root = fixturePath(host), agentExtra = [] } = {}) {
  const join_ = run(['join', '--coordinator', url, '--state-dir', stateDir, '--sysfs-root', `${root}/sys`,
    '--procfs-root', `${root}/proc`, '--etc-root', `${root}/etc`, '--dev-root', `${root}/dev`,
    '--ignore-preflight', ...extra, key]);
  const code = await join_.exited;
  if (code !== 0) throw new Error(`hearth join exited ${code}:\n${join_.output()}`);
  // --network off: the browser tests run as root in CI and must not touch the host's network.
  const agent = run(['agent', '--state-dir', stateDir, '--network', 'off', ...agentExtra]);
  return { joinOutput: join_.output(), agent };
}

/** A tiny API client with a bearer session. */
export async function apiSession(url, email, password, signUp = false) {
  const post = (path, body, token) => fetch(url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (signUp) await post('/v1/accounts', { email, password });
  const res = await post('/v1/sessions', { email, password });
  if (res.status !== 201) throw new Error(`sign-in as ${email}: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  return {
    token,
    get: (path) => fetch(url + path, { headers: { Authorization: `Bearer ${token}` } }),
    post: (path, body) => post(path, body, token),
  };
}

const gpu = (device_id, model, memory_size, slot) =>
  ({ pci_address: `0000:0${slot}:00.0`, vendor_id: '10de', device_id, vendor: 'nvidia', model, memory_size });
const GPU_MODELS = [[], [gpu('2684', 'rtx4090', '24Gi', 1)],
  [gpu('2204', 'rtx3090', '24Gi', 1), gpu('2204', 'rtx3090', '24Gi', 2)], [gpu('20b5', 'a100', '80Gi', 1)]];

/** Enrolls `n` synthetic devices for `session` through the real API (key + enroll each). */
export async function seedDevices(url, session, n, prefix = 'seed', concurrency = 16) {
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const keyRes = await session.post('/v1/install-keys', {});
      const { key } = await keyRes.json();
      const res = await fetch(url + '/v1/enroll', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          install_key: key, hostname: `${prefix}-${i}`, agent_version: '0.0.9',
          wg_public_key: randomBytes(32).toString('base64'),
          identity_public_key: 'ed25519:' + randomBytes(32).toString('base64'),
          inventory: { hostname: `${prefix}-${i}`, arch: 'x86_64', cpu_model: 'Synthetic CPU', cpu_cores: 8,
            cpu_threads: 16, memory_bytes: 34359738368, gpus: GPU_MODELS[i % GPU_MODELS.length] },
        }),
      });
      if (res.status !== 201) throw new Error(`enroll ${i}: ${res.status} ${await res.text()}`);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchConsole(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/**
 * Basic accessibility checks of what is on screen: every form control has a label, every
 * button and link an accessible name, every image an alt text, and the page one h1.
 */
export async function checkAccessible(page, name) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) out.push(`unlabelled ${el.tagName.toLowerCase()}#${el.id}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!(el.textContent ?? '').trim() && !el.getAttribute('aria-label')) out.push(`nameless ${el.outerHTML.slice(0, 80)}`);
    }
    for (const el of document.querySelectorAll('img:not([alt])')) out.push(`img without alt ${el.getAttribute('src')}`);
    const h1 = document.querySelectorAll('h1').length;
    if (h1 !== 1) out.push(`${h1} h1 elements`);
    return out;
  });
  if (problems.length) throw new Error(`accessibility problems on ${name}: ${problems.join('; ')}`);
}

/** Saves `name-desktop.png` and `name-phone.png`, leaving the page at its original size. */
export async function screenshots(page, name) {
  await checkAccessible(page, name);
  mkdirSync(artifacts, { recursive: true });
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: join(artifacts, `${name}-${size}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
