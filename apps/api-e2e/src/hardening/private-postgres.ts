import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../../tools/testing/index.mjs';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

function asPostgres(command: string, args: string[]) {
  return run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { timeout: 60_000 });
}

/**
 * A PostgreSQL server of the test's own (initdb in a temp dir, its own port and socket
 * dir), so a fault test can stop and start it without touching the machine's shared server.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** `postgres://…/herald` on this server. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/herald`;
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'herald-pg-'));
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
    const server = new PrivatePostgres(dir, await freePort());
    await asPostgres('initdb', [
      '-D',
      server.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    await server.start();
    const admin = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
    });
    await admin.connect();
    await admin.query('CREATE DATABASE herald');
    await admin.end();
    return server;
  }

  async start(): Promise<void> {
    await asPostgres('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** Fast shutdown: open connections are terminated, as in a real outage or failover. */
  async stop(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
