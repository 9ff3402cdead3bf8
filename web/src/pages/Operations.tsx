import { Alert, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { autoserve, cmbcluster, codeep, errorMessage, must } from '../lib/api';
import { formatTime } from '../lib/format';
import { settings } from '../lib/settings';

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

/** An admin-only list: its rows, or why it cannot be shown (a 403 says admins only). */
async function adminList<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T | string> {
  const { data, error, response } = await call;
  if (data !== undefined) return data;
  if (response.status === 403) return 'Admins only.';
  return errorMessage(error, `HTTP ${response.status}`);
}

/**
 * Queue depth per lane and the workers consuming it (Codeep's queue status; it changes
 * with task events, so its query key sits under 'tasks' and refreshes with them), the
 * autoscaler's decisions (AutoServe's /ml/scaling/history) and, for admins, CMBCluster's
 * users and environments.
 */
export default function Operations() {
  const queue = useQuery({
    queryKey: ['tasks', 'queue'],
    queryFn: async () => must(await codeep.GET('/tasks/queue/status')),
  });
  const scaling = useQuery({
    queryKey: ['ops', 'scaling'],
    enabled: 'autoserve' in settings.mounts,
    queryFn: () =>
      adminList(autoserve.GET('/ml/scaling/history', { params: { query: { hours: 24 } } })),
  });
  const users = useQuery({
    queryKey: ['ops', 'users'],
    enabled: 'cmbcluster' in settings.mounts,
    queryFn: () => adminList(cmbcluster.GET('/admin/users')),
  });
  const environments = useQuery({
    queryKey: ['ops', 'environments'],
    enabled: 'cmbcluster' in settings.mounts,
    queryFn: () => adminList(cmbcluster.GET('/admin/environments')),
  });
  const activity = useQuery({
    queryKey: ['ops', 'activity'],
    enabled: 'cmbcluster' in settings.mounts,
    queryFn: () =>
      adminList(cmbcluster.GET('/admin/activity', { params: { query: { limit: 50 } } })),
  });
  const emailOf = new Map(
    typeof users.data === 'string'
      ? []
      : (users.data?.data.users ?? []).map((u) => [u.id, u.email]),
  );
  return (
    <Stack>
      <Title order={1} size="h2">
        Operations
      </Title>
      {queue.error && <Alert color="red">{queue.error.message}</Alert>}
      {queue.data && (
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stat
            label="Queued: premium lane"
            value={queue.data.queue_lengths.premium}
            testId="queue-premium"
          />
          <Stat
            label="Queued: normal lane"
            value={queue.data.queue_lengths.normal}
            testId="queue-normal"
          />
          <Stat
            label="Running"
            value={queue.data.consumer_stats.processing_tasks}
            testId="queue-running"
          />
          <Stat
            label="Active workers"
            value={queue.data.consumer_stats.active_consumers}
            testId="queue-workers"
          />
        </SimpleGrid>
      )}
      <Card withBorder component="section" aria-labelledby="scaling-title">
        <Title order={2} size="h4" id="scaling-title">
          Autoscaler decisions (24 h)
        </Title>
        {typeof scaling.data === 'string' ? (
          <Text c="dimmed">{scaling.data}</Text>
        ) : scaling.data && scaling.data.history.length > 0 ? (
          <Table.ScrollContainer minWidth={480}>
            <Table aria-label="Autoscaler decisions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Workers</Table.Th>
                  <Table.Th>Trigger</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {scaling.data.history.map((d) => (
                  <Table.Tr key={`${d.timestamp}-${d.service}`}>
                    <Table.Td>{formatTime(d.timestamp)}</Table.Td>
                    <Table.Td>{d.action}</Table.Td>
                    <Table.Td>
                      {d.from_replicas} → {d.to_replicas}
                    </Table.Td>
                    <Table.Td>{d.trigger}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : (
          <Text c="dimmed">No decisions in the last 24 hours.</Text>
        )}
      </Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder component="section" aria-labelledby="users-title">
          <Title order={2} size="h4" id="users-title">
            Users
          </Title>
          {typeof users.data === 'string' ? (
            <Text c="dimmed" data-testid="admin-users">
              {users.data}
            </Text>
          ) : (
            <Table aria-label="Users">
              <Table.Tbody>
                {(users.data?.data.users ?? []).map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{u.role}</Table.Td>
                    <Table.Td>{u.subscription_tier}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder component="section" aria-labelledby="environments-title">
          <Title order={2} size="h4" id="environments-title">
            Environments
          </Title>
          {typeof environments.data === 'string' ? (
            <Text c="dimmed">{environments.data}</Text>
          ) : (environments.data?.data.environments ?? []).length === 0 ? (
            <Text c="dimmed">None running.</Text>
          ) : (
            <Table aria-label="Environments">
              <Table.Tbody>
                {(environments.data?.data.environments ?? []).map((e) => (
                  <Table.Tr key={e.env_id}>
                    <Table.Td>{e.pod_name}</Table.Td>
                    <Table.Td>{e.status}</Table.Td>
                    <Table.Td>{formatTime(e.created_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder component="section" aria-labelledby="all-activity-title">
        <Title order={2} size="h4" id="all-activity-title">
          Activity of every user
        </Title>
        {typeof activity.data === 'string' ? (
          <Text c="dimmed" data-testid="admin-activity">
            {activity.data}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Activity of every user" data-testid="admin-activity">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Details</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(activity.data?.data.activities ?? []).map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>{formatTime(a.timestamp)}</Table.Td>
                    <Table.Td>{emailOf.get(a.user_id) ?? a.user_id}</Table.Td>
                    <Table.Td>{a.action}</Table.Td>
                    <Table.Td>{a.status}</Table.Td>
                    <Table.Td>{a.details}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
    </Stack>
  );
}
