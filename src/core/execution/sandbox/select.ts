/**
 * Picks the sandbox at start-up from config: bubblewrap where it works; the process
 * driver only when the operator enabled it (with a loud warning); otherwise none, and
 * code tasks are refused with a clear error.
 */
import type { Config } from '../../../config.ts';
import type { Logger } from '../../context.ts';
import type { SandboxLimits, SandboxProvider } from '../sandbox.types.ts';
import { UidPool } from '../uid-pool.ts';
import { BwrapSandbox, probeBwrap } from './bwrap.ts';
import { ProcessSandbox } from './process.ts';

const UID_POOL_SIZE = 256;

export function sandboxLimits(config: Config['sandbox']): SandboxLimits {
  return {
    timeoutMs: config.timeoutMs,
    cpuSeconds: config.cpuSeconds,
    memoryMb: config.memoryMb,
    processes: config.processes,
    fileSizeMb: config.fileSizeMb,
    openFiles: config.openFiles,
    outputBytes: config.outputBytes,
    workspaceMb: config.workspaceMb,
    tmpMb: config.tmpMb,
  };
}

export function selectSandbox(config: Config['sandbox'], log: Logger): SandboxProvider {
  const limits = sandboxLimits(config);
  const processDriver = (): SandboxProvider => {
    log.warn(
      '!!! SANDBOX DRIVER "process": code tasks run WITHOUT ISOLATION, as this server\'s user, with its files and network. Use only on a trusted development machine. !!!',
    );
    return { available: true, sandbox: new ProcessSandbox(limits) };
  };

  if (config.driver === 'process') {
    if (!config.allowProcess) {
      const reason =
        'TASKLANE_SANDBOX_DRIVER=process needs TASKLANE_SANDBOX_ALLOW_PROCESS=true (it runs code without isolation)';
      log.error(reason);
      return { available: false, reason };
    }
    return processDriver();
  }

  const probe = probeBwrap();
  if (probe.ok) {
    // Each process takes its own block of uids, so two workers on one machine never share one.
    const base = config.uidBase + (process.pid % 4096) * UID_POOL_SIZE;
    const uids = process.getuid?.() === 0 ? new UidPool(base, UID_POOL_SIZE) : undefined;
    log.info({ version: probe.version, perRunUid: Boolean(uids) }, 'sandbox: bubblewrap');
    return { available: true, sandbox: new BwrapSandbox(limits, uids) };
  }
  if (config.driver === 'auto' && config.allowProcess) return processDriver();
  const reason = `No sandbox: ${probe.reason}. Code tasks are refused until bubblewrap works (or, on a trusted machine, TASKLANE_SANDBOX_DRIVER=process with TASKLANE_SANDBOX_ALLOW_PROCESS=true).`;
  log.error(reason);
  return { available: false, reason };
}
