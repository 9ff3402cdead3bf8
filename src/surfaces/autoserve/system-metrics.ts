/**
 * `system_metrics` figures: the host's (from the core) plus this server's own, its open
 * connections (HTTP and WebSocket) and its request counters over the last minute.
 */
import type { FastifyRequest } from 'fastify';
import { isoTime } from '../../core/shared/clock.ts';
import type { HostMetrics } from '../../core/system/host-metrics.ts';

function openConnections(request: FastifyRequest): Promise<number> {
  return new Promise((resolve) =>
    request.server.server.getConnections((error, count) => resolve(error ? 0 : count)),
  );
}

export async function systemMetricsOf(request: FastifyRequest, host: HostMetrics) {
  const traffic = request.server.httpTraffic.figures();
  return {
    timestamp: isoTime(host.at),
    cpu_usage: host.cpuPercent,
    memory_usage: host.memoryPercent,
    disk_usage: host.diskPercent,
    network_io: { bytes_sent: host.networkBytesSent, bytes_received: host.networkBytesReceived },
    active_connections: await openConnections(request),
    request_rate: traffic.requestsPerSecond,
    error_rate: traffic.errorPercent,
  };
}
