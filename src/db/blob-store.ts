/**
 * Content-addressed file store for raw messages and attachment contents: `<dir>/ab/cd/<sha256>`.
 * A blob is written to a temporary file, fsynced, renamed into place and its directory fsynced, so once
 * `put` returns the bytes are on disk. Writing the same bytes twice is a no-op.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

export type BlobStore = {
  put: (bytes: Buffer) => string;
  get: (sha256: string) => Buffer;
  has: (sha256: string) => boolean;
};

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const createBlobStore = (dir: string): BlobStore => {
  const pathOf = (sha: string) => {
    if (!SHA256_HEX.test(sha)) throw new Error(`not a sha256: ${sha}`);
    return path.join(dir, sha.slice(0, 2), sha.slice(2, 4), sha);
  };
  const fsyncDir = (d: string) => {
    const fd = openSync(d, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  };
  return {
    put(bytes) {
      const sha = sha256Hex(bytes);
      const target = pathOf(sha);
      if (existsSync(target)) return sha;
      const parent = path.dirname(target);
      mkdirSync(parent, { recursive: true });
      const tmp = `${target}.${randomUUID()}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
      fsyncDir(parent);
      return sha;
    },
    get: (sha) => readFileSync(pathOf(sha)),
    has: (sha) => existsSync(pathOf(sha)),
  };
};
