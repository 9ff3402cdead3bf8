/** Shapes shared by the workspace and its two ways of reaching files (host-side, in-sandbox). */
import type { Readable } from 'node:stream';

export type WorkspaceFileData = string | Buffer | Readable;

/** What reading a path found. Only regular files are read; anything else is named, not opened. */
export type WorkspaceRead =
  | { kind: 'file'; size: number; content: Buffer }
  | { kind: 'directory'; entries: string[] }
  | { kind: 'missing' }
  | { kind: 'other' };

/** A regular file under out/, by its name relative to out/. */
export interface WorkspaceEntry {
  name: string;
  size: number;
}

/** One output being handed over: read `stream` to the end (or destroy it) before the next. */
export interface OutputFile extends WorkspaceEntry {
  stream: Readable;
}

export interface CollectLimits {
  /** Files beyond this many are left out. */
  maxFiles: number;
  /** A larger file is left out. */
  maxFileBytes: number;
}

/** Names of what was left out, and why. */
export interface CollectReport {
  skipped: { name: string; reason: string }[];
}
