import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  List,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { codeep, must } from '../lib/api';
import { formatTime, STATUS_COLORS } from '../lib/format';
import { useTaskEvents } from '../lib/live';

function Artifacts({ id, status }: { id: string; status: string }) {
  const results = useQuery({
    queryKey: ['task', id, 'results', status],
    enabled: status === 'completed' || status === 'failed',
    queryFn: async () => {
      const { data, error, response } = await codeep.GET('/tasks/tasks/{task_id}/results', {
        params: { path: { task_id: id } },
      });
      if (response.status === 202 || !data) {
        if (error) throw new Error(`HTTP ${response.status}`);
        return null;
      }
      return data as { result: unknown; result_urls?: Record<string, string> };
    },
  });
  if (!results.data) return null;
  const urls = Object.entries(results.data.result_urls ?? {});
  return (
    <Card withBorder component="section" aria-labelledby="artifacts-title">
      <Title order={2} size="h4" id="artifacts-title">
        Result and artifacts
      </Title>
      {results.data.result !== null && results.data.result !== undefined && (
        <Code block data-testid="task-result">
          {typeof results.data.result === 'string'
            ? results.data.result
            : JSON.stringify(results.data.result, null, 2)}
        </Code>
      )}
      {urls.length > 0 ? (
        <List mt="sm">
          {urls.map(([name, url]) => (
            <List.Item key={name}>
              <Anchor href={url} download={name} target="_blank" rel="noreferrer">
                {name}
              </Anchor>
            </List.Item>
          ))}
        </List>
      ) : (
        <Text c="dimmed">No files.</Text>
      )}
    </Card>
  );
}

export function TaskDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const events = useTaskEvents(id);
  const task = useQuery({
    queryKey: ['task', id],
    queryFn: async () =>
      must(await codeep.GET('/tasks/tasks/{task_id}', { params: { path: { task_id: id } } })).task,
  });
  // Codeep's PUT: `failed` on a running task cancels it; `queued` on a finished one retries.
  const setStatus = useMutation({
    mutationFn: async (status: 'failed' | 'queued') =>
      must(
        await codeep.PUT('/tasks/tasks/{task_id}', {
          params: { path: { task_id: id } },
          body: { status },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['task', id] }),
  });
  if (task.error) return <Alert color="red">{task.error.message}</Alert>;
  if (!task.data) return <Text>Loading…</Text>;
  const t = task.data;
  const active = t.status === 'queued' || t.status === 'processing';
  return (
    <Stack>
      <Anchor component={Link} href="/tasks">
        ← All tasks
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Task
        </Title>
        <Group>
          <Badge
            variant="dot"
            size="lg"
            color={STATUS_COLORS[t.status] ?? 'gray'}
            data-testid="task-status"
          >
            {t.status}
          </Badge>
          {active ? (
            <Button
              color="red.9"
              onClick={() => setStatus.mutate('failed')}
              loading={setStatus.isPending}
            >
              Cancel
            </Button>
          ) : (
            <Button
              variant="default"
              onClick={() => setStatus.mutate('queued')}
              loading={setStatus.isPending}
            >
              Retry
            </Button>
          )}
        </Group>
      </Group>
      {setStatus.error && <Alert color="red">{setStatus.error.message}</Alert>}
      <Card withBorder>
        <Text fw={600}>Prompt</Text>
        <Text style={{ whiteSpace: 'pre-wrap' }}>{t.prompt}</Text>
        <Text size="sm" c="dimmed" mt="sm">
          {t.task_id} · tools: {t.toolset.join(', ') || 'none'} · created {formatTime(t.created_at)}
          {t.started_at && ` · started ${formatTime(t.started_at)}`}
          {t.completed_at && ` · finished ${formatTime(t.completed_at)}`}
        </Text>
        {t.error_message && (
          <Alert color="red" mt="sm" title="Error">
            {t.error_message}
          </Alert>
        )}
      </Card>
      <Card withBorder component="section" aria-labelledby="events-title">
        <Title order={2} size="h4" id="events-title">
          Progress and log (live)
        </Title>
        {events.length === 0 ? (
          <Text c="dimmed">No events since this page opened.</Text>
        ) : (
          <List size="sm" aria-live="polite">
            {events.map((event) => (
              <List.Item key={event.seq}>
                <Code>{event.event}</Code> {formatTime(event.timestamp)}
                {typeof event.data.message === 'string' && ` — ${event.data.message}`}
                {typeof event.data.progress === 'number' && ` (${event.data.progress}%)`}
              </List.Item>
            ))}
          </List>
        )}
      </Card>
      <Artifacts id={id} status={t.status} />
    </Stack>
  );
}
