import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  PasswordInput,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { cmbcluster, must } from '../lib/api';
import { formatTime } from '../lib/format';

/**
 * CMBCluster's per-user settings, shown as tabs of the Environments page: encrypted
 * environment variables (values are never shown again, only replaced or deleted; every
 * environment the user starts gets them) and the user's activity log.
 */
export function EnvVariables() {
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const variables = useQuery({
    queryKey: ['cmb', 'env-vars'],
    queryFn: async () => must(await cmbcluster.GET('/user-env-vars')).data.env_vars,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['cmb'] });
  };
  const save = useMutation({
    mutationFn: async () => must(await cmbcluster.POST('/user-env-vars', { body: { key, value } })),
    onSuccess: () => {
      setKey('');
      setValue('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (name: string) =>
      must(await cmbcluster.DELETE('/user-env-vars/{key}', { params: { path: { key: name } } })),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder component="section" aria-labelledby="env-vars-title">
      <Title order={2} size="h4" id="env-vars-title">
        Environment variables
      </Title>
      <Text size="sm" c="dimmed">
        Stored encrypted; a value is never shown again. Saving an existing name replaces it.
      </Text>
      <form onSubmit={submit}>
        <Group align="end" mt="sm">
          <TextInput
            label="Name"
            required
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
          />
          <PasswordInput
            label="Value"
            required
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
          />
          <Button type="submit" loading={save.isPending}>
            Save variable
          </Button>
        </Group>
      </form>
      {(save.error ?? remove.error ?? variables.error) && (
        <Alert color="red" mt="sm">
          {(save.error ?? remove.error ?? variables.error)?.message}
        </Alert>
      )}
      <Table mt="sm" aria-label="Environment variables">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Saved</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(variables.data ?? []).map((v) => (
            <Table.Tr key={v.key}>
              <Table.Td>
                <code>{v.key}</code>
              </Table.Td>
              <Table.Td>{v.value}</Table.Td>
              <Table.Td>{formatTime(v.created_at)}</Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="default"
                  aria-label={`Delete ${v.key}`}
                  onClick={() => remove.mutate(v.key)}
                >
                  ×
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** The user's activity (environments started and stopped, files, variables, sign-ins). */
export function ActivityLog() {
  const activity = useQuery({
    queryKey: ['cmb', 'activity'],
    queryFn: async () =>
      must(await cmbcluster.GET('/activity', { params: { query: { limit: 50 } } })).data.activities,
  });
  return (
    <Card withBorder component="section" aria-labelledby="activity-title">
      <Title order={2} size="h4" id="activity-title">
        Activity
      </Title>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label="Activity">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(activity.data ?? []).map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{formatTime(a.timestamp)}</Table.Td>
                <Table.Td>{a.action}</Table.Td>
                <Table.Td>{a.status}</Table.Td>
                <Table.Td>{a.details}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
