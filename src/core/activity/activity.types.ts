/** One line of a user's activity log (CMBCluster's /activity). */
export interface Activity {
  id: string;
  userUuid: string;
  action: ActivityAction;
  details: string;
  status: 'success' | 'failure';
  createdAt: number;
}

export type ActivityAction =
  | 'login'
  | 'logout'
  | 'environment_created'
  | 'environment_started'
  | 'environment_failed'
  | 'environment_stopped'
  | 'environment_culled'
  | 'environment_deleted'
  | 'file_uploaded'
  | 'file_deleted'
  | 'env_var_set'
  | 'env_var_deleted';
