/** Where the web console (web/, built to static files) is served from. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type EnvReader } from './env-reader.ts';

export interface ConsoleConfig {
  /** URL prefix of the console ('' when disabled). */
  mount: string;
  /** The built console: the directory holding index.html and assets/. */
  dir: string;
}

/** web/dist beside src/, where `npm run build` in web/ writes it. */
const DEFAULT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export function readConsoleConfig(read: EnvReader): ConsoleConfig {
  const raw = read.string('TASKLANE_CONSOLE_MOUNT', '/console');
  const dir = path.resolve(read.string('TASKLANE_CONSOLE_DIR', DEFAULT_DIR));
  if (raw === '' || raw === 'off') return { mount: '', dir };
  const mount = raw.replace(/\/+$/, '');
  // The root belongs to the APIs (AutoServe's and Task Assistant's paths start there).
  const segments = mount.split('/').slice(1);
  if (
    !/^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(mount) ||
    segments.some((segment) => /^\.+$/.test(segment))
  ) {
    throw new ConfigError(
      `TASKLANE_CONSOLE_MOUNT must be a path below the root such as "/console", or "off" (got "${raw}")`,
    );
  }
  return { mount, dir };
}
