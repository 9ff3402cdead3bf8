/**
 * Forecasting arrivals with ARIMA (the `arima` package: the ctsa C library compiled to
 * WebAssembly). Training picks the ARIMA order that forecasts a held-out window best;
 * forecasting refits that order on the latest history, so the model follows the pool
 * while its structure only changes on retrain.
 */
import type ARIMA from 'arima';
import type { ArimaParams } from './autoscale.types.ts';

/** Orders tried at training time: small, stable models suited to short series. */
export const CANDIDATE_ORDERS: readonly ArimaParams[] = [
  { p: 1, d: 0, q: 0 },
  { p: 2, d: 0, q: 0 },
  { p: 1, d: 0, q: 1 },
  { p: 2, d: 0, q: 1 },
  { p: 0, d: 1, q: 1 },
  { p: 1, d: 1, q: 1 },
  // Twice differenced: the ARIMA form of linear-trend smoothing (Holt), the only one of
  // these that carries a ramp forward instead of flattening it.
  { p: 0, d: 2, q: 2 },
];

export interface Forecast {
  /** Predicted value per future step (never negative: these are rates). */
  mean: number[];
  /** The forecast's error variance per step (grows with the distance). */
  variance: number[];
}

type ArimaModule = typeof ARIMA;
let arimaModule: Promise<ArimaModule> | undefined;

/** Loaded on first use: compiling the WebAssembly costs start-up time nobody else needs. */
function loadArima(): Promise<ArimaModule> {
  arimaModule ??= import('arima').then((m) => m.default);
  return arimaModule;
}

/** Fits ARIMA(p,d,q) to `series` and forecasts `steps` ahead; throws when it cannot. */
export async function forecast(
  series: readonly number[],
  params: ArimaParams,
  steps: number,
): Promise<Forecast> {
  const Arima = await loadArima();
  const model = new Arima({ ...params, verbose: false });
  try {
    model.train([...series]);
    const [mean, variance] = model.predict(steps);
    if (
      mean.length !== steps ||
      !mean.every(Number.isFinite) ||
      !variance.every((v) => Number.isFinite(v) && v >= 0)
    ) {
      throw new Error(`ARIMA(${params.p},${params.d},${params.q}) gave no usable forecast`);
    }
    return { mean: mean.map((v) => Math.max(0, v)), variance };
  } finally {
    model.destroy();
  }
}

/**
 * Forecast accuracy as 1 − WAPE (weighted MAPE: Σ|error| / Σ|actual|). Plain MAPE is
 * undefined whenever an interval saw no arrivals, which idle pools do all the time;
 * `floor` (a rate that counts as "practically none") keeps an idle window from dividing
 * by zero.
 */
export function forecastAccuracy(
  actual: readonly number[],
  predicted: readonly number[],
  floor: number,
): number {
  let error = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    error += Math.abs(actual[i]! - predicted[i]!);
    total += Math.abs(actual[i]!);
  }
  const denominator = Math.max(total, actual.length * floor);
  if (denominator === 0) return 1;
  return Math.max(0, Math.min(1, 1 - error / denominator));
}

export interface TrainedOrder {
  params: ArimaParams;
  accuracy: number;
}

/**
 * Chooses the candidate order whose forecast of the last `holdout` points (fitted on the
 * points before them) is most accurate. Undefined when no candidate can be fitted.
 */
export async function selectOrder(
  series: readonly number[],
  holdout: number,
  floor: number,
): Promise<TrainedOrder | undefined> {
  const training = series.slice(0, series.length - holdout);
  const actual = series.slice(series.length - holdout);
  let best: TrainedOrder | undefined;
  for (const params of CANDIDATE_ORDERS) {
    try {
      const { mean } = await forecast(training, params, holdout);
      const accuracy = forecastAccuracy(actual, mean, floor);
      if (!best || accuracy > best.accuracy) best = { params, accuracy };
    } catch {
      // This order cannot be fitted to the series (too short, singular): try the next.
    }
  }
  return best;
}
