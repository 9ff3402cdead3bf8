/** Core entities → CMBCluster's JSON: the `{status, data, timestamp}` envelope and its fields. */
import type { TierEnvironmentLimits } from '../../config/cmbcluster.ts';
import type { Activity } from '../../core/activity/activity.types.ts';
import type { EnvVar } from '../../core/environments/env-vars.service.ts';
import type { EnvironmentInfo } from '../../core/environments/environments.service.ts';
import type { Environment } from '../../core/environments/environments.types.ts';
import type { UserFile } from '../../core/environments/user-files.service.ts';
import type { User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';

const now = () => new Date().toISOString();

export function envelope<T, S extends string = 'success'>(data: T, status: S = 'success' as S) {
  return { status, data, timestamp: now() };
}

export function message<S extends string = 'success'>(text: string, status: S = 'success' as S) {
  return { status, message: text, timestamp: now() };
}

export function presentUser(user: User) {
  return {
    id: user.uuid,
    email: user.email,
    role: user.role,
    subscription_tier: user.tier,
    created_at: isoTime(user.createdAt),
  };
}

export function presentMe(user: User, limits: TierEnvironmentLimits) {
  return {
    ...presentUser(user),
    max_uptime_minutes: limits.maxUptimeMinutes,
    auto_shutdown_enabled: limits.autoShutdown,
  };
}

/** A variable's value is never shown: the spec lists it as `***encrypted***`. */
export function presentEnvVar(variable: EnvVar) {
  return {
    key: variable.key,
    value: '***encrypted***' as const,
    created_at: isoTime(variable.createdAt),
  };
}

export function presentActivity(activity: Activity) {
  return {
    id: activity.id,
    user_id: activity.userUuid,
    action: activity.action,
    details: activity.details,
    timestamp: isoTime(activity.createdAt),
    status: activity.status,
  };
}

/** The spec's `pod_name`: `<user>-<env_id>`, as Kubernetes would name the pod. */
const podName = (environment: Environment) => `${environment.userUuid}-${environment.id}`;

export function presentAdminEnvironment(environment: Environment) {
  return {
    env_id: environment.id,
    user_id: environment.userUuid,
    pod_name: podName(environment),
    status: environment.status,
    created_at: isoTime(environment.createdAt),
  };
}

export function presentUserFile(file: UserFile) {
  return {
    filename: file.filename,
    size_bytes: file.sizeBytes,
    path: `/workspace/${file.filename}`,
    created_at: isoTime(file.createdAt),
  };
}

export function presentUploadedFile(file: UserFile) {
  const { created_at, ...rest } = presentUserFile(file);
  return { ...rest, uploaded_at: created_at };
}

/** `url` is where the owner reaches it through the proxy, while it is starting or running. */
export function presentEnvironment(environment: Environment, surfaceUrl: string) {
  const live = environment.status === 'creating' || environment.status === 'running';
  return {
    env_id: environment.id,
    pod_name: podName(environment),
    status: environment.status,
    created_at: isoTime(environment.createdAt),
    url: live ? `${surfaceUrl}/environments/${environment.id}/` : null,
  };
}

export function presentEnvironmentInfo(info: EnvironmentInfo, surfaceUrl: string) {
  return {
    environment: presentEnvironment(info.environment, surfaceUrl),
    uptime_minutes: info.uptimeMinutes,
    max_uptime_minutes: info.maxUptimeMinutes,
    auto_shutdown_enabled: info.autoShutdown,
    time_until_shutdown_minutes: info.timeUntilShutdownMinutes,
    subscription_tier: info.tier,
  };
}
