/** `trellis worker` as its own process: refuses PGlite, and stops cleanly on SIGTERM. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main } from '@/app/_cli/cli';
import { createTestDatabase } from '../support/database';

describe('trellis worker', () => {
  it('needs PostgreSQL: the embedded database is one process, and the app runs its own worker', async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const errors: string[] = [];
    try {
      expect(await main(['worker'], { log: () => {}, error: (t) => errors.push(t) })).toBe(2);
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
    expect(errors.join('\n')).toContain('needs DATABASE_URL');
  });

  it.skipIf(!process.env.DATABASE_URL)('runs as a process against PostgreSQL and exits 0 on SIGTERM', async () => {
    const handle = await createTestDatabase();
    try {
      const url = handle.url!;
      const child = spawn(process.execPath, ['app/_cli/trellis.js', 'worker', '--interval-ms', '100'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker did not start: ${out}`)), 20_000);
        child.stdout.on('data', () => {
          if (out.includes('running')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/worker worker-\w+ stopped/);
    } finally {
      await handle.close();
    }
  }, 40_000);
});
