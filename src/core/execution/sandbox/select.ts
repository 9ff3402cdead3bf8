/**
 * Picks the sandbox at start-up from config: bubblewrap where it works; the process
 * driver only when the operator enabled it (with a loud warning); otherwise none, and
 * code tasks are refused with a clear error.
 */
import type { Config } from '../../../config.ts';
import type { Logger } from '../../context.ts';
import type { SandboxLimits, SandboxProvider } from '../sandbox.types.ts';
import { BwrapSandbox, probeBwrap } from './bwrap.ts';
import { setupCgroups } from './cgroups.ts';
import { ProcessSandbox } from './process.ts';

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

export async function selectSandbox(
  config: Config['sandbox'],
  log: Logger,
): Promise<SandboxProvider> {
  const limits = sandboxLimits(config);
  const processDriver = async (): Promise<SandboxProvider> => {
    log.warn(
      '!!! SANDBOX DRIVER "process": code tasks run WITHOUT ISOLATION, as this server\'s user, with its files and network. Use only on a trusted development machine. !!!',
    );
    return {
      available: true,
      sandbox: new ProcessSandbox(limits, await setupCgroups(log), config.hostPath),
    };
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
    const sandbox = new BwrapSandbox(limits, await setupCgroups(log));
    log.info(
      { version: probe.version, memoryControl: sandbox.memoryControl },
      'sandbox: bubblewrap',
    );
    return { available: true, sandbox };
  }
  if (config.driver === 'auto' && config.allowProcess) return processDriver();
  const reason = `No sandbox: ${probe.reason}. Code tasks are refused until bubblewrap works (or, on a trusted machine, TASKLANE_SANDBOX_DRIVER=process with TASKLANE_SANDBOX_ALLOW_PROCESS=true).`;
  log.error(reason);
  return { available: false, reason };
}
