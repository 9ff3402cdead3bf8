import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  MultiSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { must, taskAssistant } from '../lib/api';
import { formatTime } from '../lib/format';

const EVENTS = [
  'task.created',
  'task.completed',
  'task.failed',
  'agent.completed',
  'usage.quota_exceeded',
  'subscription.expiring',
];

/** A delivery as GET /webhooks/{id}/deliveries shows it (its schema leaves items open). */
interface Delivery {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
}

function Deliveries({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['webhooks', id, 'deliveries'],
    queryFn: async () =>
      must(await taskAssistant.GET('/webhooks/{id}/deliveries', { params: { path: { id } } }))
        .items as unknown as Delivery[],
  });
  const test = useMutation({
    mutationFn: async () =>
      must(await taskAssistant.POST('/webhooks/{id}/test', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['webhooks', id, 'deliveries'] }),
  });
  return (
    <Stack gap="xs" mt="sm">
      <Group>
        <Button variant="default" onClick={() => test.mutate()} loading={test.isPending}>
          Send test
        </Button>
        {test.data && (
          <Text size="sm" data-testid="test-outcome">
            {test.data.success ? 'Delivered' : 'Failed'}: {test.data.status_code ?? test.data.error}{' '}
            in {test.data.duration_ms} ms
          </Text>
        )}
      </Group>
      {test.error && <Alert color="red">{test.error.message}</Alert>}
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label="Deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(deliveries.data ?? []).map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{formatTime(d.created_at)}</Table.Td>
                <Table.Td>{d.event_type ?? '—'}</Table.Td>
                <Table.Td>{d.status ?? '—'}</Table.Td>
                <Table.Td>{d.attempts}</Table.Td>
                <Table.Td>{d.last_status_code ?? d.last_error ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export default function Webhooks() {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['task.completed']);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const hooks = useQuery({
    queryKey: ['webhooks'],
    queryFn: async () => must(await taskAssistant.GET('/webhooks')).items,
  });
  const create = useMutation({
    mutationFn: async () =>
      must(await taskAssistant.POST('/webhooks', { body: { url, event_types: events } })),
    onSuccess: (hook) => {
      setUrl('');
      const shown = (hook as { secret?: unknown }).secret;
      setSecret(typeof shown === 'string' ? shown : null);
      void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Webhooks
      </Title>
      <Card withBorder>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack gap="xs">
            <TextInput
              label="URL"
              type="url"
              required
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
            />
            <MultiSelect label="Events" data={EVENTS} value={events} onChange={setEvents} />
            {create.error && <Alert color="red">{create.error.message}</Alert>}
            {secret && (
              <Alert color="blue" title="Signing secret (shown once)">
                <Code>{secret}</Code>
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Add webhook
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      {(hooks.data ?? []).map((hook) => (
        <Card withBorder key={hook.id}>
          <Group justify="space-between">
            <div>
              <Text fw={600}>{hook.url}</Text>
              <Text size="sm" c="dimmed">
                {hook.event_types.join(', ')}
              </Text>
            </div>
            <Group>
              <Badge variant="dot" color={hook.is_active ? 'green' : 'gray'}>
                {hook.is_active ? 'active' : 'disabled'}
              </Badge>
              <Button variant="default" onClick={() => setOpen(open === hook.id ? null : hook.id)}>
                {open === hook.id ? 'Hide deliveries' : 'Deliveries'}
              </Button>
            </Group>
          </Group>
          {open === hook.id && <Deliveries id={hook.id} />}
        </Card>
      ))}
      {hooks.isSuccess && hooks.data.length === 0 && <Text c="dimmed">No webhooks yet.</Text>}
    </Stack>
  );
}
