/**
 * The controller loop of one process: every sampling interval it measures the pool,
 * records the decision (one process per interval wins the slot), and applies the
 * published desired count to its own worker: its share of the pool, split evenly over
 * the live worker processes. In one process that share is the whole pool.
 */
import { type Ctx, createContext, type Runtime, systemActor } from '../context.ts';
import type { Worker } from '../jobs/worker.ts';
import { shareOf } from './decision.ts';
import { HostProbe } from './host-probe.ts';
import { liveWorkerIds, measurePool } from './pool.ts';
import { recordTick } from './scaling.service.ts';

export class Autoscaler {
  readonly #ctx: Ctx;
  readonly #worker: Worker | undefined;
  readonly #probe = new HostProbe();
  #timer: NodeJS.Timeout | undefined;
  #last: number;
  #running: Promise<void> | undefined;

  /** `worker`: this process's worker to resize (none: sample and publish only). */
  constructor(runtime: Runtime, worker: Worker | undefined) {
    this.#ctx = createContext(runtime, systemActor, runtime.log.child({ autoscaler: true }));
    this.#worker = worker;
    this.#last = this.#ctx.clock.now();
    this.#probe.read();
  }

  start(): void {
    const { sampleMs } = this.#ctx.config.autoscale;
    this.#timer = setInterval(() => {
      if (this.#running) return; // a slow tick is never overlapped
      this.#running = this.tick()
        .then(() => undefined)
        .catch((error) => this.#ctx.log.warn({ err: error }, 'autoscaler tick failed'))
        .finally(() => {
          this.#running = undefined;
        });
    }, sampleMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One sampling interval's work (tests and the benchmark call it directly). */
  async tick(): Promise<number | undefined> {
    const now = this.#ctx.clock.now();
    const measurement = await measurePool(this.#ctx, this.#probe, this.#last, now);
    this.#last = now;
    const { state } = await recordTick(this.#ctx, measurement);
    if (!state || !this.#worker) return state?.desiredWorkers;
    const share = shareOf(state.desiredWorkers, await liveWorkerIds(this.#ctx), this.#worker.id);
    if (share !== this.#worker.concurrency) {
      this.#ctx.log.info(
        { from: this.#worker.concurrency, to: share, pool: state.desiredWorkers },
        'autoscaler resized this worker',
      );
      await this.#worker.setConcurrency(share);
    }
    return state.desiredWorkers;
  }
}

/** Starts the controller when TASKLANE_AUTOSCALE is on (serve and worker call this). */
export function startAutoscaler(
  runtime: Runtime,
  worker: Worker | undefined,
): Autoscaler | undefined {
  if (!runtime.config.autoscale.enabled) return undefined;
  const autoscaler = new Autoscaler(runtime, worker);
  autoscaler.start();
  return autoscaler;
}
