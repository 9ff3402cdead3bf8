import {
  Alert,
  Anchor,
  Autocomplete,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { cmbcluster, must } from '../lib/api';
import { formatTime, STATUS_COLORS } from '../lib/format';
import { ActivityLog, EnvVariables } from './EnvVariables';
import { WorkspaceFiles } from './WorkspaceFiles';

/**
 * Images the server maps to a profile by default (TASKLANE_ENV_IMAGES): the spec's
 * example image and the profile's own name both run `python-http`. The API has no list
 * of the configured images, so an operator's other images are typed in; an unknown one
 * is the API's 400.
 */
const KNOWN_IMAGES = ['borisbolliet/cmbagent-ui:latest', 'python-http'];
const ACTIVE = new Set(['creating', 'running']);
const ENV_COLORS: Record<string, string> = {
  ...STATUS_COLORS,
  creating: 'yellow',
  stopped: 'gray',
};

const TABS = [
  { value: 'environments', label: 'Environments' },
  { value: 'files', label: 'Workspace files' },
  { value: 'variables', label: 'Variables' },
  { value: 'activity', label: 'Activity' },
];

/** How long until auto-shutdown, from the info the API returns (no timer: as of fetching). */
function Shutdown({ envId }: { envId: string }) {
  const info = useQuery({
    queryKey: ['cmb', 'environment-info', envId],
    queryFn: async () =>
      must(
        await cmbcluster.GET('/environments/{env_id}/info', {
          params: { path: { env_id: envId } },
        }),
      ),
  });
  if (!info.data) return <Text size="sm">…</Text>;
  const { data, timestamp } = info.data;
  const minutes = data.time_until_shutdown_minutes;
  if (!data.auto_shutdown_enabled) {
    return <Text size="sm">No auto-shutdown ({data.uptime_minutes} min up)</Text>;
  }
  if (minutes === null) return <Text size="sm">Starts counting once running</Text>;
  const at = new Date(Date.parse(timestamp) + minutes * 60_000);
  return (
    <Text size="sm" data-testid="env-shutdown">
      Stops by {at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} ({minutes} of{' '}
      {data.max_uptime_minutes} min left)
    </Text>
  );
}

function StartEnvironment({ onStarted }: { onStarted: () => void }) {
  const [image, setImage] = useState(KNOWN_IMAGES[0]!);
  const [name, setName] = useState('');
  const start = useMutation({
    mutationFn: async () =>
      must(
        await cmbcluster.POST('/environments', {
          body: { image, ...(name ? { config: { name } } : {}) },
        }),
      ),
    onSuccess: () => {
      setName('');
      onStarted();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };
  return (
    <Card withBorder component="section" aria-labelledby="start-env-title">
      <Title order={2} size="h4" id="start-env-title">
        Start an environment
      </Title>
      <form onSubmit={submit}>
        <Group align="end" mt="sm">
          <Autocomplete
            label="Image"
            description="Each image runs a profile the server is configured with"
            required
            data={KNOWN_IMAGES}
            value={image}
            onChange={setImage}
            miw={280}
          />
          <TextInput
            label="Name (optional)"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Button type="submit" loading={start.isPending}>
            Start environment
          </Button>
        </Group>
      </form>
      {start.error && (
        <Alert color="red" mt="sm" role="alert">
          {start.error.message}
        </Alert>
      )}
    </Card>
  );
}

function EnvironmentList() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['cmb'] });
  const me = useQuery({
    queryKey: ['cmb', 'me'],
    queryFn: async () => must(await cmbcluster.GET('/users/me')).data,
  });
  const environments = useQuery({
    queryKey: ['cmb', 'environments'],
    queryFn: async () => must(await cmbcluster.GET('/environments/list')).data.environments,
  });
  const stop = useMutation({
    mutationFn: async (envId: string) =>
      must(await cmbcluster.DELETE('/environments', { params: { query: { env_id: envId } } })),
    onSettled: refresh,
  });
  const heartbeat = useMutation({
    mutationFn: async () => must(await cmbcluster.POST('/environments/heartbeat')),
    onSettled: refresh,
  });
  const error = environments.error ?? stop.error ?? heartbeat.error;
  return (
    <Stack>
      <StartEnvironment onStarted={refresh} />
      <Card withBorder component="section" aria-labelledby="env-list-title">
        <Group justify="space-between">
          <Title order={2} size="h4" id="env-list-title">
            Your environments
          </Title>
          <Group gap="xs">
            <Button
              variant="default"
              size="xs"
              onClick={() => heartbeat.mutate()}
              loading={heartbeat.isPending}
            >
              Keep alive
            </Button>
            <Button variant="default" size="xs" onClick={refresh} loading={environments.isFetching}>
              Refresh
            </Button>
          </Group>
        </Group>
        {me.data && (
          <Text size="sm" c="dimmed">
            Tier {me.data.subscription_tier}:{' '}
            {me.data.auto_shutdown_enabled
              ? `an environment stops after ${me.data.max_uptime_minutes} minutes running`
              : 'no automatic shutdown'}
            ; idle ones stop too (Keep alive resets that). Status changes show on Refresh.
          </Text>
        )}
        {error && (
          <Alert color="red" mt="sm" role="alert">
            {error.message}
          </Alert>
        )}
        <Table.ScrollContainer minWidth={640} mt="sm">
          <Table aria-label="Environments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Environment</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Auto-shutdown</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(environments.data ?? []).map((env) => (
                <Table.Tr key={env.env_id} data-env-id={env.env_id}>
                  <Table.Td>
                    <code>{env.env_id}</code>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      variant="dot"
                      color={ENV_COLORS[env.status] ?? 'gray'}
                      data-testid="env-status"
                    >
                      {env.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatTime(env.created_at)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {ACTIVE.has(env.status) ? <Shutdown envId={env.env_id} /> : '—'}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {env.url && (
                        <Anchor href={env.url} target="_blank" rel="noopener noreferrer" size="sm">
                          Open <VisuallyHidden>{env.env_id}</VisuallyHidden>
                        </Anchor>
                      )}
                      {ACTIVE.has(env.status) && (
                        <Button
                          size="compact-sm"
                          variant="default"
                          color="red"
                          onClick={() => stop.mutate(env.env_id)}
                          loading={stop.isPending && stop.variables === env.env_id}
                          aria-label={`Stop ${env.env_id}`}
                        >
                          Stop
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {environments.isSuccess && environments.data.length === 0 && (
          <Text c="dimmed">No environments yet.</Text>
        )}
      </Card>
    </Stack>
  );
}

/**
 * CMBCluster: the user's environments (start one from an image, its status and time
 * until auto-shutdown, open its proxied URL, stop it), the workspace's files, the
 * encrypted variables and the activity log, as tabs (`/environments/<tab>`).
 * CMBCluster publishes no events for environments, so lists refresh after each action
 * and on Refresh, never on a timer.
 */
export default function Environments({ tab }: { tab?: string }) {
  const [, navigate] = useLocation();
  const current = TABS.some((t) => t.value === tab) ? tab! : 'environments';
  return (
    <Stack>
      <Title order={1} size="h2">
        Environments
      </Title>
      <Tabs
        value={current}
        keepMounted={false}
        onChange={(value) =>
          navigate(value && value !== 'environments' ? `/environments/${value}` : '/environments')
        }
      >
        <Tabs.List>
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="environments" pt="md">
          <EnvironmentList />
        </Tabs.Panel>
        <Tabs.Panel value="files" pt="md">
          <WorkspaceFiles />
        </Tabs.Panel>
        <Tabs.Panel value="variables" pt="md">
          <EnvVariables />
        </Tabs.Panel>
        <Tabs.Panel value="activity" pt="md">
          <ActivityLog />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
