/**
 * Figures of this host for AutoServe's /metrics/system and its sockets: CPU load, memory
 * in use and bytes through the network interfaces since boot, read from /proc (with
 * the os module as the fallback elsewhere), and the data directory's filesystem
 * through statfs. All of it asynchronous: systeminformation, used before, ran shell
 * commands with execSync for the network figures (a dozen per reading), each blocking
 * the event loop for a fork of the whole server (issue 15).
 */
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { Ctx } from '../context.ts';
import { requireUser } from '../identity/users.service.ts';
import { RecentValues } from '../shared/recent-values.ts';

export interface HostMetrics {
  at: number;
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
  networkBytesSent: number;
  networkBytesReceived: number;
}

/**
 * One reading serves every caller for a second (per data directory): a thousand
 * AutoServe sockets connecting at once, each greeted with the host's figures, cost one
 * reading instead of a thousand. The figures are a snapshot either way.
 */
const readings = new RecentValues<string, HostMetrics>(1000, 16);

export function hostMetrics(ctx: Ctx): Promise<HostMetrics> {
  requireUser(ctx);
  return readings.get(ctx.config.dataDir, () => readHost(ctx));
}

async function readHost(ctx: Ctx): Promise<HostMetrics> {
  const [cpuPercent, memoryPercent, disk, network] = await Promise.all([
    cpuLoadPercent(),
    memoryInUsePercent(),
    statfs(ctx.config.dataDir),
    networkBytes(),
  ]);
  return {
    at: ctx.clock.now(),
    cpuPercent: round1(cpuPercent),
    memoryPercent: round1(memoryPercent),
    diskPercent: round1(diskUsePercent(disk)),
    networkBytesSent: network.sent,
    networkBytesReceived: network.received,
  };
}

/** CPU time spent busy since the previous reading (since boot for the first), in %. */
let previousCpu: { busy: number; total: number } = { busy: 0, total: 0 };

async function cpuLoadPercent(): Promise<number> {
  const now = await cpuTimes();
  const total = now.total - previousCpu.total;
  const busy = now.busy - previousCpu.busy;
  previousCpu = now;
  return total > 0 ? (busy / total) * 100 : 0;
}

/** Busy and total CPU time over all cores: /proc/stat's first line, else os.cpus(). */
async function cpuTimes(): Promise<{ busy: number; total: number }> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const fields = stat?.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  if (fields && fields.length >= 4 && fields.every(Number.isFinite)) {
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
    const idle = fields[3]! + (fields[4] ?? 0);
    return { busy: total - idle, total };
  }
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Memory in use, excluding what the kernel can reclaim (MemAvailable, as `free` shows). */
async function memoryInUsePercent(): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1]);
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total > 0 && Number.isFinite(available)) return ((total - available) / total) * 100;
  return ((os.totalmem() - os.freemem()) / os.totalmem()) * 100;
}

/** Bytes through the network interfaces (loopback aside) since boot: /proc/net/dev. */
async function networkBytes(): Promise<{ sent: number; received: number }> {
  const dev = await readFile('/proc/net/dev', 'utf8').catch(() => '');
  let sent = 0;
  let received = 0;
  for (const line of dev.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    received += Math.max(0, fields[0] ?? 0);
    sent += Math.max(0, fields[8] ?? 0);
  }
  return { sent, received };
}

/** Used share of the filesystem as `df` shows it (space reserved for root excluded). */
function diskUsePercent(fs: { blocks: number; bfree: number; bavail: number }): number {
  const used = fs.blocks - fs.bfree;
  const usable = used + fs.bavail;
  return usable > 0 ? (used / usable) * 100 : 0;
}

const round1 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : 0);
