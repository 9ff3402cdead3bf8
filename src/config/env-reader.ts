/** Typed, validated access to environment variables; every error names its setting. */

/** Raised for a setting that cannot be used; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** Typed accessors that name the setting in every error. */
export class EnvReader {
  readonly #env: Env;
  constructor(env: Env) {
    this.#env = env;
  }

  #raw(name: string): string | undefined {
    const value = this.#env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  /** Names of the set variables that match a pattern (for per-provider settings). */
  names(pattern: RegExp): string[] {
    return Object.keys(this.#env).filter((name) => pattern.test(name) && this.#raw(name));
  }

  optionalString(name: string): string | undefined {
    return this.#raw(name);
  }

  number(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number (got "${raw}")`);
    if (range.min !== undefined && value < range.min)
      throw new ConfigError(`${name} must be at least ${range.min} (got ${value})`);
    if (range.max !== undefined && value > range.max)
      throw new ConfigError(`${name} must be at most ${range.max} (got ${value})`);
    return value;
  }

  string(name: string, fallback: string): string {
    return this.#raw(name) ?? fallback;
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer (got "${raw}")`);
    const value = Number(raw);
    if (range.min !== undefined && value < range.min) {
      throw new ConfigError(`${name} must be at least ${range.min} (got ${value})`);
    }
    if (range.max !== undefined && value > range.max) {
      throw new ConfigError(`${name} must be at most ${range.max} (got ${value})`);
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.#raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(`${name} must be true or false (got "${raw}")`);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.#raw(name);
    if (raw === undefined) return fallback;
    if (!allowed.includes(raw as T)) {
      throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    }
    return raw as T;
  }

  list(name: string): string[] {
    const raw = this.#raw(name);
    if (raw === undefined) return [];
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  url(name: string, fallback: string): string {
    const raw = this.#raw(name) ?? fallback;
    try {
      new URL(raw);
    } catch {
      throw new ConfigError(`${name} must be an absolute URL (got "${raw}")`);
    }
    return raw;
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const raw = this.#raw(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(`${name} must be a URL`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(`${name} must use ${protocols.join(' or ')}`);
    }
    return raw;
  }

  /** A secret must be long enough to be one; its value never appears in an error. */
  optionalSecret(name: string, minLength: number): string | undefined {
    const raw = this.#raw(name);
    if (raw === undefined) return undefined;
    if (raw.length < minLength) {
      throw new ConfigError(`${name} must be at least ${minLength} characters long`);
    }
    return raw;
  }
}
