/**
 * End-to-end harness: the built app served by `next start` on a free port with a fresh
 * database (a new PGlite folder, or a new PostgreSQL database when DATABASE_URL is set), and
 * Debian's Chromium driven by playwright-core. Needs `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { migrateDatabase, openDatabase, type Executor } from '@/db/client';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from '@/app/server/seed';

export const SCREENSHOTS = path.join(process.cwd(), 'test', 'e2e', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface App {
  url: string;
  stop(): Promise<void>;
  /**
   * Runs `read` with a handle on the app's database, to look at what the app wrote (an email in
   * the outbox). PostgreSQL: a second connection while the server runs. PGlite allows one process
   * per folder: the server is stopped, the folder opened and closed, and the server started again
   * on the same address (the browser's session cookie stays valid: sessions live in the database).
   */
  withDatabase<T>(read: (db: Executor) => Promise<T>): Promise<T>;
  /** The server process's id (to read its memory from /proc). */
  pid(): number | undefined;
}

/**
 * Data a test needs before the server starts: run against the app's fresh database (migrated,
 * demo company seeded) while no server holds it (PGlite allows one process per folder).
 */
export type Prepare = (db: Executor, tenantId: string) => Promise<void>;

export async function startApp(options: { prepare?: Prepare } = {}): Promise<App> {
  if (!existsSync(path.join(process.cwd(), '.next', 'BUILD_ID')))
    throw new Error('No production build found: run `npm run build` before the browser tests.');
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-e2e-'));
  // `next start` runs in production mode: it refuses to start without a session secret and the
  // public URL, and seeds the demo company only when asked (the tests sign in as its people).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PGLITE_DATA_DIR: path.join(dataDir, 'pglite'),
    BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? randomBytes(32).toString('base64'),
    BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
    TRELLIS_SEED: 'demo',
  };
  let dropDatabase = async () => {};
  if (process.env.DATABASE_URL) {
    const name = `trellis_e2e_${randomBytes(5).toString('hex')}`;
    const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const dropper = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    };
  }
  if (options.prepare) {
    const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DATA_DIR });
    try {
      await migrateDatabase(handle);
      await options.prepare(handle.db, await seedDemo(handle.db));
    } finally {
      await handle.close();
    }
  }
  const url = `http://127.0.0.1:${port}`;
  const serve = async () => {
    const server = spawn(
      process.execPath,
      [path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port)],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitForHttp(`${url}/sign-in`, server, () => output);
    return server;
  };
  let child = await serve();
  return {
    url,
    pid: () => child.pid,
    async stop() {
      await stopProcess(child);
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async withDatabase(read) {
      if (env.DATABASE_URL) {
        const handle = await openDatabase({ url: env.DATABASE_URL, maxConnections: 1 });
        try {
          return await read(handle.db);
        } finally {
          await handle.close();
        }
      }
      await stopProcess(child);
      try {
        const handle = await openDatabase({ dataDir: env.PGLITE_DATA_DIR });
        try {
          return await read(handle.db);
        } finally {
          await handle.close();
        }
      } finally {
        child = await serve();
      }
    },
  };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'trellis-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The app did not answer at ${url} within 60 s:\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A browser test file's app and page: the app started (with `prepare`'s data) and a page opened in
 * a new browser before the file's tests, both closed after them. Registers the file's
 * beforeAll/afterAll, so a file's own beforeAll registered earlier runs first (and its afterAll
 * last); `ready` hands the app and the page to the file once they are up. Returns pageActions.
 */
export function appInBrowser(options: { prepare?: Prepare; ready: (started: { app: App; page: Page }) => void }) {
  let app: App | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    app = await startApp(options.prepare ? { prepare: options.prepare } : {});
    browser = await launchBrowser();
    page = await browser.context.newPage();
    options.ready({ app, page });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  return pageActions(() => {
    if (!app || !page) throw new Error('The app and the page are made in beforeAll: use them inside tests.');
    return { page, url: app.url };
  });
}

/** The account form's fields (#account-<name>). */
type AccountFields = Partial<Record<'name' | 'email' | 'password' | 'company', string>>;

/**
 * What every browser test does with its page: screenshots into SCREENSHOTS, filling and sending
 * the sign-up and sign-in forms, signing in as a seeded person by display name (email + the demo
 * password on the sign-in page) and signing out. `current` is read at each call: the page and the
 * app are made in beforeAll.
 */
export function pageActions(current: () => { page: Page; url: string }) {
  /** Fills the fields given (others keep what they hold) and presses the form's button; waits for nothing. */
  const submitAccountForm = async (fields: AccountFields, button: RegExp) => {
    const { page } = current();
    for (const name of ['name', 'email', 'password', 'company'] as const) {
      const value = fields[name];
      if (value !== undefined) await page.locator(`#account-${name}`).fill(value);
    }
    await page.getByRole('button', { name: button }).click();
  };
  const submitSignIn = (email: string, password: string) =>
    submitAccountForm({ email, password }, /^(Sign in|Đăng nhập)$/);
  return {
    shot: (name: string) => current().page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true }),
    /** On the sign-up page: fills the fields given and presses "Create account". */
    submitSignUp: (fields: AccountFields) => submitAccountForm(fields, /^(Create account|Tạo tài khoản)$/),
    /** On the sign-in page: fills email and password and presses "Sign in". */
    submitSignIn,
    async signInAs(name: string) {
      const { page, url } = current();
      const person = DEMO_USERS.find((u) => u.displayName === name);
      if (!person) throw new Error(`No demo person named "${name}" (see DEMO_USERS in app/server/seed.ts)`);
      await page.goto(`${url}/sign-in`);
      await submitSignIn(person.email, DEMO_PASSWORD);
      await page.waitForURL('**/inbox');
    },
    async signOut() {
      const { page } = current();
      await page.getByRole('button', { name: /Sign out|Đăng xuất/ }).click();
      await page.waitForURL('**/sign-in');
    },
  };
}
