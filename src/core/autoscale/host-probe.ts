/**
 * CPU and memory of this host, in percent. CPU is the busy share of all cores between
 * two readings (the first reading compares against boot, i.e. the average since then).
 */
import os from 'node:os';

interface CpuTimes {
  busy: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

export class HostProbe {
  #last: CpuTimes = { busy: 0, total: 0 };

  /** Percent of CPU busy since the previous call, and of memory in use now. */
  read(): { cpuUsage: number; memoryUsage: number } {
    const now = cpuTimes();
    const total = now.total - this.#last.total;
    const busy = now.busy - this.#last.busy;
    this.#last = now;
    const cpuUsage = total > 0 ? (busy / total) * 100 : 0;
    const memoryUsage = (1 - os.freemem() / os.totalmem()) * 100;
    return { cpuUsage: round1(cpuUsage), memoryUsage: round1(memoryUsage) };
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
