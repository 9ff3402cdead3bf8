/**
 * The user row an actor was just authenticated with, kept for the request that did it:
 * reading the caller's own profile (every surface's "me") then needs no second query.
 * Keyed by the actor object (a WeakMap: it goes with the request) and trusted for one
 * second only, so an actor kept longer (a WebSocket's) reads the row again.
 */
import type { UserActor } from '../context.ts';
import type { UserRow } from './identity.repo.ts';

const FRESH_MS = 1000;
const rows = new WeakMap<UserActor, { row: UserRow; at: number }>();

export function rememberRow(actor: UserActor, row: UserRow, now: number): UserActor {
  rows.set(actor, { row, at: now });
  return actor;
}

export function recentRow(actor: UserActor, now: number): UserRow | undefined {
  const entry = rows.get(actor);
  return entry && now - entry.at < FRESH_MS ? entry.row : undefined;
}
