/**
 * A clone's statistics, read safely (git/read-clone.ts: links listed, never followed;
 * regular files only): files, directories, bytes and lines; bytes, files and lines per
 * language (linguist-js, languages.ts); the dependency manifests (manifests.ts); the
 * top-level layout; and the README's start for the summary.
 */
import { type CloneEntry, listClone, readCloneFile } from '../git/read-clone.ts';
import {
  type DetectedLanguage,
  detectLanguages,
  type FileSample,
  type LanguageType,
  LINGUIST_BATCH,
} from './languages.ts';
import { type DependencyManifest, isManifest, readManifest } from './manifests.ts';

export interface LanguageFigures {
  name: string;
  type: LanguageType;
  bytes: number;
  files: number;
  lines: number;
  /** Share of the bytes of every language detected, in percent (two decimals). */
  percentage: number;
}

/** Stored as JSON and shown as is (snake_case). */
export interface RepositoryStatistics {
  file_count: number;
  directory_count: number;
  symlink_count: number;
  binary_file_count: number;
  total_bytes: number;
  /** Lines of the text files (a last line without a newline counts). */
  line_count: number;
  /** Bytes per programming and markup language (GitHub's language bar), largest first. */
  languages: Record<string, number>;
  primary_language: string | null;
  /** Every language detected (data and prose too), largest first. */
  language_breakdown: LanguageFigures[];
  dependencies: DependencyManifest[];
  dependency_count: number;
  /** The entries at the root: name and type (file, directory, symlink, other). */
  layout: { name: string; type: CloneEntry['kind'] }[];
  /** True when the clone had more entries than were read. */
  truncated: boolean;
}

export interface CloneFacts {
  statistics: RepositoryStatistics;
  /** The start of the root README, when there is one. */
  readme: string | null;
}

/** Bytes of a file's start given to linguist (shebang, heuristics). */
const SAMPLE_BYTES = 64 * 1024;
/** Manifests larger than this are not parsed. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_MANIFESTS = 50;
const README_BYTES = 8 * 1024;
const MAX_LAYOUT = 500;
/** Git's own test for binary content: a NUL byte near the start. */
const BINARY_PROBE = 8000;
const VENDORED = /(^|\/)(node_modules|vendor|third_party|bower_components)\//;
const README = /^readme(\.(md|markdown|rst|txt))?$/i;

interface FileScan {
  size: number;
  lines: number;
  binary: boolean;
  head: Buffer;
}

/** Reads a regular file once: size, lines, binary or not, and its first `keep` bytes. */
async function scanFile(dir: string, path: string, keep: number): Promise<FileScan | undefined> {
  const head: Buffer[] = [];
  let kept = 0;
  let newlines = 0;
  let last = -1;
  let binary = false;
  let probed = 0;
  const size = await readCloneFile(dir, path, (chunk) => {
    if (probed < BINARY_PROBE) {
      const probe = chunk.subarray(0, BINARY_PROBE - probed);
      if (probe.includes(0)) binary = true;
      probed += probe.length;
    }
    if (kept < keep) {
      head.push(chunk.subarray(0, keep - kept));
      kept += Math.min(chunk.length, keep - kept);
    }
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) newlines++;
    last = chunk[chunk.length - 1] ?? last;
    return true;
  });
  if (size === undefined) return undefined;
  const lines = binary ? 0 : newlines + (size > 0 && last !== 10 ? 1 : 0);
  return { size, lines, binary, head: Buffer.concat(head) };
}

/** Every figure of the clone in `dir`, reading at most `maxEntries` entries. */
export async function analyseClone(
  dir: string,
  options: { maxEntries: number; signal?: AbortSignal },
): Promise<CloneFacts> {
  const listing = await listClone(dir, options);
  const counts = { files: 0, dirs: 0, links: 0, binary: 0, bytes: 0, lines: 0 };
  const perLanguage = new Map<string, LanguageFigures>();
  const dependencies: DependencyManifest[] = [];
  let readme: string | null = null;
  let batch: (FileSample & { size: number; lines: number })[] = [];

  const flush = async () => {
    const detected = await detectLanguages(batch);
    for (const file of batch) tally(perLanguage, detected.get(file.path), file);
    batch = [];
  };

  for (const entry of listing.entries) {
    options.signal?.throwIfAborted();
    if (entry.kind === 'directory') counts.dirs++;
    if (entry.kind === 'symlink') counts.links++;
    if (entry.kind !== 'file') continue;
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    const manifest =
      isManifest(name) &&
      !VENDORED.test(entry.path) &&
      entry.size <= MAX_MANIFEST_BYTES &&
      dependencies.length < MAX_MANIFESTS;
    const scan = await scanFile(dir, entry.path, manifest ? MAX_MANIFEST_BYTES : SAMPLE_BYTES);
    if (!scan) continue;
    counts.files++;
    counts.bytes += scan.size;
    if (scan.binary) {
      counts.binary++;
      continue;
    }
    counts.lines += scan.lines;
    const text = scan.head.toString('utf8');
    if (manifest) {
      const parsed = readManifest(entry.path, text);
      if (parsed) dependencies.push(parsed);
    }
    if (readme === null && entry.path === name && README.test(name))
      readme = text.slice(0, README_BYTES);
    batch.push({
      path: entry.path,
      content: text.slice(0, SAMPLE_BYTES),
      size: scan.size,
      lines: scan.lines,
    });
    if (batch.length >= LINGUIST_BATCH) await flush();
  }
  await flush();

  const breakdown = [...perLanguage.values()].sort(
    (a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name),
  );
  const detectedBytes = breakdown.reduce((sum, l) => sum + l.bytes, 0);
  for (const language of breakdown)
    language.percentage =
      detectedBytes === 0 ? 0 : Math.round((language.bytes / detectedBytes) * 10_000) / 100;
  const shown = breakdown.filter((l) => l.type === 'programming' || l.type === 'markup');
  return {
    statistics: {
      file_count: counts.files,
      directory_count: counts.dirs,
      symlink_count: counts.links,
      binary_file_count: counts.binary,
      total_bytes: counts.bytes,
      line_count: counts.lines,
      languages: Object.fromEntries(shown.map((l) => [l.name, l.bytes])),
      primary_language: shown[0]?.name ?? null,
      language_breakdown: breakdown,
      dependencies,
      dependency_count: dependencies.reduce((sum, m) => sum + m.dependencies.length, 0),
      layout: listing.entries
        .filter((e) => !e.path.includes('/'))
        .slice(0, MAX_LAYOUT)
        .map((e) => ({ name: e.path, type: e.kind })),
      truncated: listing.truncated,
    },
    readme,
  };
}

function tally(
  perLanguage: Map<string, LanguageFigures>,
  detected: DetectedLanguage | undefined,
  file: { size: number; lines: number },
): void {
  if (!detected) return;
  let figures = perLanguage.get(detected.language);
  if (!figures) {
    figures = {
      name: detected.language,
      type: detected.type,
      bytes: 0,
      files: 0,
      lines: 0,
      percentage: 0,
    };
    perLanguage.set(detected.language, figures);
  }
  figures.bytes += file.size;
  figures.files++;
  figures.lines += file.lines;
}
