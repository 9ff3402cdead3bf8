/**
 * The console's sections. A surface that adds pages adds an entry here and a route in
 * App.tsx; `surface` hides the entry when that surface is not mounted on this server
 * (pages under an entry, like a project's, are reached from it).
 */
import type { ConsoleSettings } from './lib/settings';

export interface NavEntry {
  path: string;
  label: string;
  surface?: keyof ConsoleSettings['mounts'];
}

export const NAV: NavEntry[] = [
  { path: '/tasks', label: 'Tasks', surface: 'codeep' },
  { path: '/usage', label: 'Usage and credits', surface: 'codeep' },
  { path: '/chat', label: 'Chat', surface: 'taskassistant' },
  { path: '/agents', label: 'Agents', surface: 'taskassistant' },
  { path: '/webhooks', label: 'Webhooks', surface: 'taskassistant' },
  { path: '/environments', label: 'Environments', surface: 'cmbcluster' },
  { path: '/projects', label: 'Projects', surface: 'codeguide' },
  { path: '/operations', label: 'Operations', surface: 'codeep' },
];
