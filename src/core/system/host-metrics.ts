/**
 * Figures of this host and process for AutoServe's /metrics/system, read through
 * systeminformation (no hand-parsed /proc): CPU load, memory in use and bytes through
 * the network interfaces since boot; the data directory's filesystem through statfs.
 */
import { statfs } from 'node:fs/promises';
import type { Ctx } from '../context.ts';
import { requireUser } from '../identity/users.service.ts';

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
const FRESH_MS = 1000;
const recent = new Map<string, { readAt: number; reading: Promise<HostMetrics> }>();

export function hostMetrics(ctx: Ctx): Promise<HostMetrics> {
  requireUser(ctx);
  const key = ctx.config.dataDir;
  const now = performance.now();
  const last = recent.get(key);
  if (last && now - last.readAt < FRESH_MS) return last.reading;
  const reading = readHost(ctx).catch((error: unknown) => {
    if (recent.get(key)?.reading === reading) recent.delete(key);
    throw error;
  });
  if (recent.size >= 16) recent.clear(); // bounded: one entry per live runtime
  recent.set(key, { readAt: now, reading });
  return reading;
}

async function readHost(ctx: Ctx): Promise<HostMetrics> {
  // Loaded with the first reading: an idle server does not carry it (issue 15: idle RSS).
  const { default: si } = await import('systeminformation');
  const [load, memory, disk, network] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    statfs(ctx.config.dataDir),
    si.networkStats('*'),
  ]);
  return {
    at: ctx.clock.now(),
    cpuPercent: round1(load.currentLoad),
    // "In use" excludes reclaimable cache, as `free` reports it.
    memoryPercent: round1(((memory.total - memory.available) / memory.total) * 100),
    diskPercent: round1(diskUsePercent(disk)),
    networkBytesSent: network.reduce((sum, n) => sum + Math.max(0, n.tx_bytes), 0),
    networkBytesReceived: network.reduce((sum, n) => sum + Math.max(0, n.rx_bytes), 0),
  };
}

/** Used share of the filesystem as `df` shows it (space reserved for root excluded). */
function diskUsePercent(fs: { blocks: number; bfree: number; bavail: number }): number {
  const used = fs.blocks - fs.bfree;
  const usable = used + fs.bavail;
  return usable > 0 ? (used / usable) * 100 : 0;
}

const round1 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : 0);
