/** A user's environment (CMBCluster): a long-running workspace process. */
export type EnvironmentStatus = 'creating' | 'running' | 'stopped' | 'failed';

export interface Environment {
  /** `env-` and 12 hex digits, the spec's `env_id`. */
  id: string;
  userUuid: string;
  image: string;
  profile: string;
  applicationId: string | null;
  name: string | null;
  description: string | null;
  status: EnvironmentStatus;
  statusReason: string | null;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  lastActivityAt: number;
}
