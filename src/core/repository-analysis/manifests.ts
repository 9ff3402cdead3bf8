/**
 * Dependency manifests a repository declares: package.json (dependencies and
 * devDependencies), requirements*.txt, pyproject.toml (PEP 621 and Poetry), go.mod,
 * Cargo.toml and pom.xml. Each is read simply and robustly: a parser never throws,
 * junk yields what could be read (or nothing), and every list is capped.
 */
import { parseToml, type TomlTable, type TomlValue } from './toml-lite.ts';

export type DependencyType = 'runtime' | 'dev' | 'optional' | 'build' | 'test' | 'indirect';

export interface Dependency {
  name: string;
  version: string | null;
  type: DependencyType;
}

export interface DependencyManifest {
  /** Path in the repository. */
  path: string;
  ecosystem: 'npm' | 'pypi' | 'go' | 'cargo' | 'maven';
  dependencies: Dependency[];
}

/** Most dependencies kept per manifest. */
const MAX_DEPENDENCIES = 1000;

type Parser = (text: string) => Dependency[];

const PARSERS: [RegExp, DependencyManifest['ecosystem'], Parser][] = [
  [/^package\.json$/, 'npm', parsePackageJson],
  [/^requirements([-_.][\w.-]*)?\.txt$/i, 'pypi', parseRequirements],
  [/^pyproject\.toml$/, 'pypi', parsePyproject],
  [/^go\.mod$/, 'go', parseGoMod],
  [/^Cargo\.toml$/, 'cargo', parseCargo],
  [/^pom\.xml$/, 'maven', parsePom],
];

/** Whether a file (by its base name) is a manifest read here. */
export function isManifest(name: string): boolean {
  return PARSERS.some(([pattern]) => pattern.test(name));
}

/** The manifest's dependencies, or undefined when the name is not a manifest. */
export function readManifest(path: string, text: string): DependencyManifest | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const entry = PARSERS.find(([pattern]) => pattern.test(name));
  if (!entry) return undefined;
  let dependencies: Dependency[];
  try {
    dependencies = entry[2](text.replace(/^\uFEFF/, ''));
  } catch {
    dependencies = [];
  }
  return { path, ecosystem: entry[1], dependencies: dependencies.slice(0, MAX_DEPENDENCIES) };
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : null;

function parsePackageJson(source: string): Dependency[] {
  const json: unknown = JSON.parse(source);
  if (!json || typeof json !== 'object') return [];
  const out: Dependency[] = [];
  for (const [field, type] of [
    ['dependencies', 'runtime'],
    ['devDependencies', 'dev'],
  ] as const) {
    const deps = (json as Record<string, unknown>)[field];
    if (!deps || typeof deps !== 'object' || Array.isArray(deps)) continue;
    for (const [name, version] of Object.entries(deps))
      if (name.trim()) out.push({ name: name.slice(0, 200), version: text(version), type });
  }
  return out;
}

const PEP508 = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/;

/** `name[extras] >=1.0; marker` or `name @ url`: the name and the version part. */
function pep508(requirement: string, type: DependencyType): Dependency | undefined {
  const match = PEP508.exec(requirement);
  if (!match) return undefined;
  const spec = match[3]!.split(';')[0]!.trim().replace(/^@\s*/, '');
  return { name: match[1]!, version: spec ? spec.slice(0, 200) : null, type };
}

function parseRequirements(source: string): Dependency[] {
  const out: Dependency[] = [];
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    // Options (-r, -e, --index-url…) and bare URLs or paths are not named requirements.
    if (!line || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line) || /^[./]/.test(line))
      continue;
    const dep = pep508(line, 'runtime');
    if (dep) out.push(dep);
  }
  return out;
}

const table = (value: TomlValue | undefined): TomlTable | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;

/** `name = "1.0"` or `name = { version = "1.0", … }` entries of a dependency table. */
function fromTable(deps: TomlValue | undefined, type: DependencyType, skip = ''): Dependency[] {
  const entries = table(deps);
  if (!entries) return [];
  return Object.entries(entries)
    .filter(([name]) => name !== skip)
    .map(([name, value]) => ({
      name: name.slice(0, 200),
      version: typeof value === 'string' ? text(value) : text(table(value)?.version),
      type,
    }));
}

function fromList(list: TomlValue | undefined, type: DependencyType): Dependency[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => (typeof item === 'string' ? (pep508(item, type) ?? []) : []));
}

function parsePyproject(source: string): Dependency[] {
  const doc = parseToml(source);
  const project = table(doc.project);
  const poetry = table(table(doc.tool)?.poetry);
  const out = [
    ...fromList(project?.dependencies, 'runtime'),
    ...Object.values(table(project?.['optional-dependencies']) ?? {}).flatMap((group) =>
      fromList(group, 'optional'),
    ),
    ...Object.values(table(doc['dependency-groups']) ?? {}).flatMap((group) =>
      fromList(group, 'dev'),
    ),
    ...fromTable(poetry?.dependencies, 'runtime', 'python'),
    ...fromTable(poetry?.['dev-dependencies'], 'dev'),
  ];
  for (const [group, value] of Object.entries(table(poetry?.group) ?? {}))
    out.push(
      ...fromTable(table(value)?.dependencies, /^(dev|test|lint)/.test(group) ? 'dev' : 'optional'),
    );
  return out;
}

const CARGO_TABLES: [string, DependencyType][] = [
  ['dependencies', 'runtime'],
  ['dev-dependencies', 'dev'],
  ['build-dependencies', 'build'],
];

function parseCargo(source: string): Dependency[] {
  const doc = parseToml(source);
  const scopes: TomlTable[] = [
    doc,
    ...Object.values(table(doc.target) ?? {}).flatMap((t): TomlTable[] => {
      const scope = table(t);
      return scope ? [scope] : [];
    }),
  ];
  return scopes.flatMap((scope) =>
    CARGO_TABLES.flatMap(([name, type]) => fromTable(scope[name], type)),
  );
}

function parseGoMod(source: string): Dependency[] {
  const out: Dependency[] = [];
  let inBlock = false;
  for (const raw of source.split(/\r?\n/)) {
    const indirect = /\/\/.*\bindirect\b/.test(raw);
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock && line === ')') {
      inBlock = false;
      continue;
    }
    let spec: string | undefined;
    if (inBlock) spec = line;
    else if (/^require\s*\($/.test(line)) inBlock = true;
    else if (/^require\s+/.test(line)) spec = line.replace(/^require\s+/, '');
    const match = spec ? /^(\S+)\s+(\S+)$/.exec(spec) : null;
    if (match)
      out.push({ name: match[1]!, version: match[2]!, type: indirect ? 'indirect' : 'runtime' });
  }
  return out;
}

const POM_SCOPES: Record<string, DependencyType> = {
  test: 'test',
  provided: 'build',
  system: 'build',
  runtime: 'runtime',
  compile: 'runtime',
};

function parsePom(source: string): Dependency[] {
  // Managed versions and plugins' own dependencies are not the project's dependencies.
  let xml = withoutSections(source, '<!--', '-->');
  xml = withoutSections(xml, '<dependencyManagement>', '</dependencyManagement>');
  xml = withoutSections(xml, '<plugins>', '</plugins>');
  const tag = (block: string, name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(block)?.[1]?.trim() || null;
  const out: Dependency[] = [];
  for (const block of sections(xml, '<dependency>', '</dependency>')) {
    const group = tag(block, 'groupId');
    const artifact = tag(block, 'artifactId');
    if (!artifact) continue;
    const optional = tag(block, 'optional') === 'true';
    out.push({
      name: (group ? `${group}:${artifact}` : artifact).slice(0, 200),
      version: text(tag(block, 'version')),
      type: optional ? 'optional' : (POM_SCOPES[tag(block, 'scope') ?? 'compile'] ?? 'runtime'),
    });
    if (out.length >= MAX_DEPENDENCIES) break;
  }
  return out;
}

/** The text between each `open` and the next `close` (a linear scan; no regex backtracking). */
function sections(source: string, open: string, close: string): string[] {
  const found: string[] = [];
  for (let at = source.indexOf(open); at >= 0; at = source.indexOf(open, at)) {
    const end = source.indexOf(close, at + open.length);
    if (end < 0) break;
    found.push(source.slice(at + open.length, end));
    at = end + close.length;
  }
  return found;
}

/** The source without each `open`…`close` section (an unclosed one runs to the end). */
function withoutSections(source: string, open: string, close: string): string {
  let out = '';
  let from = 0;
  for (let at = source.indexOf(open); at >= 0; at = source.indexOf(open, from)) {
    out += source.slice(from, at);
    const end = source.indexOf(close, at + open.length);
    if (end < 0) return out;
    from = end + close.length;
  }
  return out + source.slice(from);
}
