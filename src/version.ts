/** The running version, from package.json (read once). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
export const SERVICE_NAME = 'tasklane';
