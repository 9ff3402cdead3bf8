/** The autoscaler's core results → AutoServe's ML controller JSON. */

import type {
  PredictionReport,
  RetrainRequestOutcome,
  ScalingHistory,
} from '../../core/autoscale/autoscale.types.ts';
import { formatSpan } from '../../core/autoscale/decide.ts';
import { isoTime } from '../../core/shared/clock.ts';

export function presentPredictions(report: PredictionReport) {
  return {
    timestamp: isoTime(report.at),
    predictions: report.predictions.map((p) => ({
      service: p.service,
      current_replicas: p.currentReplicas,
      predicted_replicas: p.predictedReplicas,
      confidence: p.confidence,
      reason: p.reason,
      prediction_horizon: formatSpan(p.horizonMs),
    })),
    model_version: report.model ? String(report.model.version) : null,
    model_accuracy: report.model ? report.model.accuracy : null,
  };
}

export function presentHistory(history: ScalingHistory) {
  return {
    history: history.decisions.map((d) => ({
      timestamp: isoTime(d.decidedAt),
      service: d.service,
      action: d.action,
      from_replicas: d.fromReplicas,
      to_replicas: d.toReplicas,
      trigger: d.trigger,
      metrics: {
        cpu_usage: d.cpuUsage,
        memory_usage: d.memoryUsage,
        request_rate: d.requestRate,
      },
    })),
    total_decisions: history.total,
    accuracy_rate: history.accuracyRate,
  };
}

export function presentRetrain(outcome: RetrainRequestOutcome) {
  return {
    job_id: outcome.jobId,
    status: outcome.status,
    estimated_duration: outcome.status === 'skipped' ? '0s' : formatSpan(outcome.estimatedMs),
    message: outcome.message,
  };
}
