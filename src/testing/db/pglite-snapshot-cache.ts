import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Cache of seeded PGlite data directories. Creating a PGlite runs initdb (≈1.5–3 s and ~800 MB RSS); loading a
 * tarball of an already seeded database takes ≈0.6 s and less memory. Snapshots are keyed by a SHA-256 of
 * everything that shapes the database (DDL, seed code and data, scale), kept per process in memory and on
 * disk under the OS temp directory (`langchain-dreamfactory-sandbox/`), written atomically (temp file +
 * rename) so concurrent test workers never read half a file. A snapshot that fails to load is ignored.
 */
export class PgliteSnapshotCache {
  readonly #memory = new Map<string, Blob>();

  /** @param directory - where snapshots are stored. @default `<os tmpdir>/langchain-dreamfactory-sandbox` */
  constructor(readonly directory: string = join(tmpdir(), "langchain-dreamfactory-sandbox")) {}

  /** The cache key of a database built from `parts`. */
  static key(parts: readonly string[]): string {
    const hash = createHash("sha256");
    for (const part of parts) hash.update(`${part.length}:${part}`);
    return hash.digest("hex").slice(0, 32);
  }

  /** The snapshot for `key`, or null when there is none (or it cannot be read). */
  async get(key: string): Promise<Blob | null> {
    const cached = this.#memory.get(key);
    if (cached) return cached;
    try {
      const blob = new Blob([await readFile(this.#path(key))]);
      this.#memory.set(key, blob);
      return blob;
    } catch {
      return null;
    }
  }

  /** Stores a snapshot; failures to write (read-only disk, no space) are ignored. */
  async set(key: string, snapshot: Blob): Promise<void> {
    this.#memory.set(key, snapshot);
    try {
      await mkdir(this.directory, { recursive: true });
      const temp = `${this.#path(key)}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, Buffer.from(await snapshot.arrayBuffer()));
      await rename(temp, this.#path(key));
    } catch {
      // the in-memory copy still serves this process
    }
  }

  /** Forgets a snapshot that failed to load. */
  forget(key: string): void {
    this.#memory.delete(key);
  }

  #path(key: string): string {
    return join(this.directory, `pglite-${key}.tar`);
  }
}

/** The process-wide cache used by openDatabase. */
export const pgliteSnapshots = new PgliteSnapshotCache();
