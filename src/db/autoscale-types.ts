/** The autoscaler's tables (migration 0009): pool samples, decisions, models, state. */

export interface AutoscaleSamplesTable {
  id: string;
  service: string;
  slot: number;
  sampled_at: number;
  interval_ms: number;
  queue_depth: number;
  running: number;
  arrivals: number;
  completions: number;
  arrival_rate: number;
  completion_rate: number;
  service_time_ms: number | null;
  cpu_usage: number;
  memory_usage: number;
  current_workers: number;
  desired_workers: number;
  trigger: string;
  predicted_arrival_rate: number | null;
  model_version: number | null;
}

export interface AutoscaleDecisionsTable {
  id: string;
  service: string;
  decided_at: number;
  action: string;
  from_replicas: number;
  to_replicas: number;
  trigger: string;
  reason: string;
  cpu_usage: number;
  memory_usage: number;
  request_rate: number;
  queue_depth: number;
  model_version: number | null;
  user_id: number | null;
}

export interface AutoscaleModelsTable {
  version: number;
  service: string;
  model_type: string;
  algorithm: string;
  params: string;
  accuracy: number;
  samples: number;
  training_hours: number;
  duration_ms: number;
  job_id: string | null;
  trained_at: number;
}

export interface AutoscaleStateTable {
  service: string;
  desired_workers: number;
  trigger: string;
  reason: string;
  manual_until: number | null;
  updated_at: number;
}
