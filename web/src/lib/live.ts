/**
 * The live connection: Task Assistant's WebSocket (/api/v1/ws), which pushes every task
 * and agent event of the user's tenant (tasks created through any surface). Each event
 * refreshes the queries it affects and is kept per task for the task's page, so lists
 * and details change as things happen, with no polling. Reconnects with backoff; a
 * 4401 (session ended) signs out.
 */
import type { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { getSession, setSession } from './session';
import { settings } from './settings';

export interface LiveEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp: string;
  /** Arrival order, unique in this page's life (a stable key). */
  seq: number;
}

type Status = 'connecting' | 'live' | 'offline';

const listeners = new Set<() => void>();
let status: Status = 'offline';
let taskEvents = new Map<string, LiveEvent[]>();
let socket: WebSocket | undefined;
let retry = 0;
let seq = 0;
let stopped = true;
const MAX_EVENTS_PER_TASK = 200;

function notify() {
  for (const listener of listeners) listener();
}

function setStatus(next: Status) {
  status = next;
  notify();
}

function record(event: LiveEvent) {
  const id = String(event.data.task_id ?? '');
  if (!id) return;
  const list = [...(taskEvents.get(id) ?? []), event].slice(-MAX_EVENTS_PER_TASK);
  taskEvents = new Map(taskEvents).set(id, list);
  notify();
}

function wsUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}${settings.mounts.taskassistant ?? ''}/api/v1/ws`;
}

export function startLive(queryClient: QueryClient): () => void {
  // Without Task Assistant on this server there is no event socket: pages still load,
  // and refresh when the user acts.
  if (!('taskassistant' in settings.mounts)) return () => {};
  stopped = false;
  const connect = () => {
    const session = getSession();
    // The socket authenticates with a token; a cookie-only session has none (and no
    // Task Assistant, which would have traded the cookie for one: see sso.ts).
    if (stopped || !session?.token) return;
    setStatus('connecting');
    const ws = new WebSocket(wsUrl());
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: session.token }));
    ws.onmessage = (message) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (body.type === 'auth_success') {
        retry = 0;
        setStatus('live');
        // Anything that happened while we were away.
        void queryClient.invalidateQueries();
      } else if (body.type === 'event') {
        seq += 1;
        const event = { ...(body as unknown as LiveEvent), seq };
        record(event);
        if (event.event.startsWith('task.')) {
          void queryClient.invalidateQueries({ queryKey: ['tasks'] });
          void queryClient.invalidateQueries({ queryKey: ['task', event.data.task_id] });
          void queryClient.invalidateQueries({ queryKey: ['usage'] });
        } else if (event.event.startsWith('agent.')) {
          void queryClient.invalidateQueries({ queryKey: ['agents'] });
        }
      }
    };
    ws.onclose = (close) => {
      if (socket === ws) socket = undefined;
      setStatus('offline');
      if (close.code === 4401 || close.code === 4003) {
        setSession(null);
        return;
      }
      if (stopped) return;
      retry += 1;
      setTimeout(connect, Math.min(30_000, 500 * 2 ** Math.min(retry, 6)));
    };
  };
  connect();
  return () => {
    stopped = true;
    socket?.close();
    socket = undefined;
    taskEvents = new Map();
    setStatus('offline');
  };
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLiveStatus(): Status {
  return useSyncExternalStore(subscribe, () => status);
}

const NONE: LiveEvent[] = [];
export function useTaskEvents(taskId: string): LiveEvent[] {
  return useSyncExternalStore(subscribe, () => taskEvents.get(taskId) ?? NONE);
}
