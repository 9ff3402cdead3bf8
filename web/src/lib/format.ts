export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export const STATUS_COLORS: Record<string, string> = {
  queued: 'gray',
  pending: 'gray',
  processing: 'blue',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'orange',
};

export function usd(value: number): string {
  return `$${value < 0.01 && value > 0 ? value.toFixed(6) : value.toFixed(2)}`;
}
