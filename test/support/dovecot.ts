/**
 * A real, throwaway Dovecot IMAP server for tests and benches: started as a child process
 * (`dovecot -F -c <tmp conf>`) on a free loopback port, with its own config, base dir, maildir and
 * passwd-file in a temporary directory, plain-text login allowed (loopback only, `ssl = no`). It can
 * be stopped and started again on the same port (the mail stays), and a second IMAP client
 * (imapflow) appends and inspects messages the way another mail client would.
 *
 * Needs the `dovecot` binary (Debian: `apt-get install -y dovecot-imapd`; CI installs it from
 * .ci/apt-packages.txt). `dovecotBinary()` returns null when it is absent so suites can skip with a
 * clear message. Never touches a system Dovecot: everything lives under the temporary directory.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, utimesSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './smtp-sink.js';

export type DovecotUser = { name: string; password: string };

export type Dovecot = {
  host: '127.0.0.1';
  port: number;
  dir: string;
  /** replaces the passwd-file (Dovecot re-reads it on change, at most once a second) */
  setUsers(users: DovecotUser[]): void;
  /** resolves once `user` can log in (after setUsers, Dovecot may take up to a second to notice) */
  waitForLogin(user: DovecotUser): Promise<void>;
  /** APPENDs messages as another mail client would; returns their UIDs */
  append(user: DovecotUser, messages: Buffer[], opts?: { folder?: string; flags?: string[] }): Promise<number[]>;
  /** runs `fn` with a logged-in client of its own (closed afterwards) */
  withClient<T>(user: DovecotUser, fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** UIDs and flags of every message in a folder */
  list(user: DovecotUser, folder?: string): Promise<Array<{ uid: number; flags: string[]; messageId: string | null }>>;
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly running: boolean;
  log(): string;
  close(): Promise<void>;
};

/** The dovecot binary, or null when it is not installed. */
export const dovecotBinary = (): string | null => {
  for (const p of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/usr/bin/dovecot']) if (existsSync(p)) return p;
  try {
    const found = execFileSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' }).trim();
    return found || null;
  } catch {
    return null;
  }
};

/** Why a suite skips, or null when Dovecot is available. */
export const dovecotMissingReason = (): string | null =>
  dovecotBinary() ? null : 'dovecot is not installed (apt-get install -y dovecot-imapd); IMAP tests skipped';

const idOf = (name: string): number | null => {
  try {
    return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
};

/** Dovecot refuses to access mail as uid 0: as root, mail belongs to the `dovecot` user. */
const mailOwner = (): { uid: number; gid: number } => {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const uid = idOf('dovecot');
  if (uid === null) throw new Error('running as root needs the `dovecot` system user (created by the dovecot-core package)');
  const gid = Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).trim());
  return { uid, gid };
};

const config = ({ dir, port }: { dir: string; port: number }): string => {
  const root = process.getuid?.() === 0;
  const me = userInfo().username;
  // As root, Dovecot wants unprivileged users for its own processes; mail is accessed as root.
  const internal = root ? (idOf('dovecot') !== null ? 'dovecot' : me) : me;
  const login = root ? (idOf('dovenull') !== null ? 'dovenull' : internal) : me;
  const { uid, gid } = mailOwner();
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = mailroom-test-${path.basename(dir)}
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:${dir}/mail/%u
mail_fsync = never
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = ${internal}
default_internal_group = ${internal}
default_login_user = ${login}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
protocol imap {
  mail_max_userip_connections = 200
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
`;
};

const greeting = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = connect({ host: '127.0.0.1', port });
  const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
  socket.setTimeout(1000, () => done(false));
  socket.once('error', () => done(false));
  socket.once('data', (d) => done(/^\* OK .*ready/m.test(d.toString()) || /^\* OK/.test(d.toString())));
});

export const startDovecot = async ({ users = [{ name: 'support', password: 'secret' }] }: { users?: DovecotUser[] } = {}): Promise<Dovecot> => {
  const binary = dovecotBinary();
  if (!binary) throw new Error(dovecotMissingReason()!);
  const dir = mkdtempSync(path.join(tmpdir(), 'mrdc-'));
  chmodSync(dir, 0o755);
  for (const d of ['run', 'state', 'mail']) mkdirSync(path.join(dir, d), { recursive: true });
  const owner = mailOwner();
  chownSync(path.join(dir, 'mail'), owner.uid, owner.gid);
  const port = await freePort();
  const confFile = path.join(dir, 'dovecot.conf');
  writeFileSync(confFile, config({ dir, port }));
  // Dovecot re-reads the passwd-file when its mtime changes, at one-second resolution: give every
  // write a later second than the one before, or a user added in the same second stays unknown.
  let lastStamp = 0;
  const setUsers = (list: DovecotUser[]) => {
    const file = path.join(dir, 'passwd');
    writeFileSync(file, list.map((u) => `${u.name}:{PLAIN}${u.password}::::::\n`).join(''), { mode: 0o644 });
    lastStamp = Math.max(Math.floor(Date.now() / 1000), lastStamp + 1);
    utimesSync(file, lastStamp, lastStamp);
  };
  setUsers(users);

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    if (child) return;
    const proc = spawn(binary, ['-F', '-c', confFile], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d) => { stderr += d.toString(); });
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    child = proc;
    const deadline = Date.now() + 15_000;
    while (!(await greeting(port))) {
      if (proc.exitCode !== null) { child = null; throw new Error(`dovecot exited (${proc.exitCode}): ${stderr}${logText()}`); }
      if (Date.now() > deadline) throw new Error(`dovecot did not answer on port ${port}: ${stderr}${logText()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc?.pid) return;
    child = null;
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    const killer = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5_000);
    await exited;
    clearTimeout(killer);
    // Its worker processes share the process group; make sure none outlives the master.
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* none left */ }
    // The port must be free before a restart binds it again.
    const deadline = Date.now() + 5_000;
    while (await greeting(port) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };

  const logText = () => (existsSync(path.join(dir, 'dovecot.log')) ? readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : '');

  const withClient = async <T>(user: DovecotUser, fn: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: user.name, pass: user.password }, logger: false, disableAutoIdle: true });
    client.on('error', () => undefined);
    const explain = (err: Error & { responseText?: string; code?: string }) =>
      new Error(`dovecot client (${user.name}): ${err.message}${err.responseText ? `: ${err.responseText}` : ''}${err.code ? ` [${err.code}]` : ''}\n--- dovecot log (tail) ---\n${logText().split('\n').slice(-15).join('\n')}`);
    try {
      await client.connect();
    } catch (err) {
      throw explain(err as Error);
    }
    try {
      return await fn(client);
    } catch (err) {
      throw explain(err as Error);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  await start();
  return {
    host: '127.0.0.1',
    port,
    dir,
    setUsers,
    append: (user, messages, opts = {}) => withClient(user, async (client) => {
      const folder = opts.folder ?? 'INBOX';
      if (folder !== 'INBOX' && !(await client.list()).some((f) => f.path === folder)) await client.mailboxCreate(folder);
      const uids: number[] = [];
      for (const raw of messages) {
        const res = await client.append(folder, raw, opts.flags ?? []);
        if (res && res.uid) uids.push(res.uid);
      }
      return uids;
    }),
    withClient,
    async waitForLogin(user) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await withClient(user, async () => undefined);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    list: (user, folder = 'INBOX') => withClient(user, async (client) => {
      if (!(await client.list()).some((f) => f.path === folder)) return [];
      const lock = await client.getMailboxLock(folder);
      try {
        if ((client.mailbox as { exists: number }).exists === 0) return [];
        const out: Array<{ uid: number; flags: string[]; messageId: string | null }> = [];
        for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          out.push({ uid: m.uid, flags: [...(m.flags ?? [])], messageId: m.envelope?.messageId?.replace(/^<|>$/g, '') ?? null });
        }
        return out;
      } finally {
        lock.release();
      }
    }),
    stop,
    start,
    get running() { return child !== null; },
    log: logText,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
