/**
 * Sandbox: the latency of running `true` and `echo hi` through Tasklane's bubblewrap
 * sandbox (BwrapSandbox, as selectSandbox builds it: a cgroup per run, prlimit, the
 * workspace's own uid when root) against a plain `child_process.spawn` of
 * the same command. Runs are sequential and interleaved (plain, sandbox, warm pool,
 * bare bwrap, plain, …) so drift on a noisy machine hits all alike. The warm-pool row
 * runs in a workspace the pool (TASKLANE_SANDBOX_WARM_POOL, by default with bash
 * sandboxes that fit these commands) started a sandbox in beforehand; `warm_runs` says
 * how many runs really found one. Bare bwrap with the start-up probe's arguments shows
 * how much is bubblewrap itself and how much Tasklane's wrapping around it.
 *
 * Timed: the `sandbox.run()` call (or spawn → close). Not timed: creating and removing
 * the workspace (a tmpfs mount when root), and waiting for the pool to refill (in the
 * product it refills between runs; under sustained load `bench tasks` shows what is
 * left). Flags: --runs N (200), --warmup N (10).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { BARE_BWRAP_ARGS } from '../src/core/execution/sandbox/bwrap.ts';
import { selectSandbox } from '../src/core/execution/sandbox/select.ts';
import type { Sandbox } from '../src/core/execution/sandbox.types.ts';
import type { WarmProfile } from '../src/core/execution/warm-profile.ts';
import { Workspaces } from '../src/core/execution/workspaces.ts';
import { createLogger } from '../src/http/logger.ts';
import { barChart, percentile, round } from './lib.ts';

interface Latency {
  p50_ms: number;
  p99_ms: number;
}

interface CommandFigures {
  plain_spawn: Latency;
  bwrap: Latency;
  bwrap_bare: Latency;
  /** Runs in a workspace from the warm pool (its sandbox started before the run). */
  warm_pool: Latency & { warm_runs: number };
  overhead_ratio_p50: number;
  warm_ratio_p50: number;
}

const COMMANDS: { name: string; argv: string[]; stdout: string }[] = [
  { name: 'true', argv: ['true'], stdout: '' },
  { name: 'echo hi', argv: ['echo', 'hi'], stdout: 'hi\n' },
];

/** The warm pool's bash profile (the default pool has one) fits `true` and `echo`: same limits, no network. */
let WARM_PROFILE: WarmProfile;

function readSettings(): { runs: number; warmup: number } {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { runs: { type: 'string' }, warmup: { type: 'string' } },
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be an integer ≥ ${min} (got "${raw}")`);
    return value;
  };
  return { runs: int('runs', values.runs, 200, 1), warmup: int('warmup', values.warmup, 10, 0) };
}

/** Spawns argv with piped stdio and resolves on close with the exit code and stdout. */
function plainSpawn(argv: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.resume();
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function summarise(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) };
}

async function measureCommand(
  sandbox: Sandbox,
  workspaces: Workspaces,
  command: (typeof COMMANDS)[number],
  runs: number,
  warmup: number,
): Promise<CommandFigures> {
  let n = 0;
  const expect = (what: string, code: number | null, stdout: string) => {
    if (code !== 0 || stdout !== command.stdout)
      throw new Error(
        `${what} \`${command.name}\`: exit ${code}, stdout ${JSON.stringify(stdout)} (expected exit 0, ${JSON.stringify(command.stdout)})`,
      );
  };
  const plain = async () => {
    const result = await plainSpawn(command.argv);
    expect('plain spawn', result.code, result.stdout);
  };
  const bare = async () => {
    const result = await plainSpawn(['bwrap', ...BARE_BWRAP_ARGS, ...command.argv]);
    expect('bare bwrap', result.code, result.stdout);
  };
  let warmRuns = 0;
  const sandboxed = async (warm: boolean): Promise<number> => {
    n += 1;
    // Not timed, like the rest of a workspace's making: the pool refilling in the background.
    if (warm) await workspaces.warmPool?.settled();
    const workspace = await workspaces.create(`bench${n}`, warm ? WARM_PROFILE : undefined);
    if (workspace.warm) warmRuns++;
    try {
      let exitCode: number | null = null;
      let stdout = '';
      let stderr = '';
      const ms = await timed(async () => {
        ({ exitCode, stdout, stderr } = await sandbox.run({
          argv: command.argv,
          workspace,
        }));
      });
      if (exitCode !== 0) console.error(stderr);
      expect('sandbox', exitCode, stdout);
      return ms;
    } finally {
      await workspace.remove();
    }
  };

  for (let i = 0; i < warmup; i++) {
    await plain();
    await sandboxed(false);
    await sandboxed(true);
    await bare();
  }
  warmRuns = 0;
  const samples = {
    plain: [] as number[],
    bwrap: [] as number[],
    warm: [] as number[],
    bare: [] as number[],
  };
  const tty = process.stderr.isTTY;
  for (let i = 0; i < runs; i++) {
    samples.plain.push(await timed(plain));
    samples.bwrap.push(await sandboxed(false));
    samples.warm.push(await sandboxed(true));
    samples.bare.push(await timed(bare));
    if ((i + 1) % 20 === 0 || i + 1 === runs) {
      const line = `  … ${command.name}: ${i + 1}/${runs} runs`;
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    }
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const figures = {
    plain_spawn: summarise(samples.plain),
    bwrap: summarise(samples.bwrap),
    bwrap_bare: summarise(samples.bare),
    warm_pool: { ...summarise(samples.warm), warm_runs: warmRuns },
    overhead_ratio_p50: 0,
    warm_ratio_p50: 0,
  };
  figures.overhead_ratio_p50 = round(figures.bwrap.p50_ms / figures.plain_spawn.p50_ms, 3);
  figures.warm_ratio_p50 = round(figures.warm_pool.p50_ms / figures.plain_spawn.p50_ms, 3);
  return figures;
}

export async function main(): Promise<void> {
  const { runs, warmup } = readSettings();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-bench-sandbox-'));
  const onSignal = () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const config = loadConfig({ ...process.env, TASKLANE_DATA_DIR: dataDir });
    const provider = await selectSandbox(config.sandbox, createLogger('silent'));
    if (!provider.available) throw new Error(`no sandbox: ${provider.reason}`);
    if (provider.sandbox.driver !== 'bwrap')
      throw new Error(`the sandbox driver is "${provider.sandbox.driver}", not bwrap`);
    const log = createLogger('silent');
    const workspaces = await Workspaces.open(config, provider, log);
    WARM_PROFILE = { language: 'bash', network: false, memoryMb: config.sandbox.memoryMb };
    const perRunUid = process.getuid?.() === 0;
    console.log(
      `sandbox: ${runs} sequential runs per command (after ${warmup} warm-up), ${os.availableParallelism()} CPUs, per-workspace uid ${perRunUid ? 'on (root)' : 'off'}, memory by ${provider.sandbox.memoryControl}, tmpfs workspaces ${workspaces.tmpfs ? 'on' : 'off'}`,
    );

    const results: CommandFigures[] = [];
    for (const command of COMMANDS) {
      const figures = await measureCommand(provider.sandbox, workspaces, command, runs, warmup);
      results.push(figures);
      console.log(
        barChart(
          `\n\`${command.name}\` p50 latency (lower is better)`,
          [
            ['plain spawn', figures.plain_spawn.p50_ms],
            ['bare bwrap', figures.bwrap_bare.p50_ms],
            ['tasklane sandbox', figures.bwrap.p50_ms],
            ['tasklane, warm pool', figures.warm_pool.p50_ms],
          ],
          'ms',
        ),
      );
      console.log(
        barChart(
          `\`${command.name}\` p99 latency (lower is better)`,
          [
            ['plain spawn', figures.plain_spawn.p99_ms],
            ['bare bwrap', figures.bwrap_bare.p99_ms],
            ['tasklane sandbox', figures.bwrap.p99_ms],
            ['tasklane, warm pool', figures.warm_pool.p99_ms],
          ],
          'ms',
        ),
      );
    }
    const [trueFigures, echoFigures] = results as [CommandFigures, CommandFigures];
    console.log(
      JSON.stringify({
        bench: 'sandbox',
        runs,
        command: 'true',
        ...trueFigures,
        echo_hi: echoFigures,
      }),
    );
    await workspaces.close();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
