/**
 * `tasklane_desired_workers`: the worker-pool size the autoscaler published, for an
 * external scaler (KEDA, an HPA on external metrics) to follow. Read from the database
 * at scrape time, so every replica reports the same pool-wide figure.
 */
import { Gauge, type Registry } from 'prom-client';
import { currentSlots } from '../core/autoscale/pool.ts';
import { desiredWorkers } from '../core/autoscale/scaling.service.ts';
import { createContext, type Runtime, systemActor } from '../core/context.ts';

export function registerAutoscaleMetrics(registry: Registry, runtime: Runtime): void {
  new Gauge({
    name: 'tasklane_desired_workers',
    help: 'Job slots the autoscaler wants the worker pool to have (before any decision: the live slots)',
    registers: [registry],
    async collect() {
      const ctx = createContext(runtime, systemActor);
      try {
        this.set((await desiredWorkers(ctx)) ?? (await currentSlots(ctx)));
      } catch (error) {
        ctx.log.warn({ err: error }, 'could not read the desired worker count');
      }
    },
  });
}
