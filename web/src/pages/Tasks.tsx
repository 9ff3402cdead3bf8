import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { codeep, must, taskAssistant } from '../lib/api';
import { formatTime, STATUS_COLORS } from '../lib/format';

/** The agent runner's tools (Codeep's toolset names). */
const TOOLS = [
  'code_executor',
  'file_reader',
  'file_writer',
  'browser_screenshot',
  'http_fetch',
  'calculator',
  'search',
];
const STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
type Status = (typeof STATUSES)[number];

function CreateTask() {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<'code' | 'agent'>('code');
  const [prompt, setPrompt] = useState('');
  const [toolset, setToolset] = useState<string[]>(['code_executor']);
  const [title, setTitle] = useState('');
  const [priority, setPriority] = useState<'low' | 'medium' | 'high'>('medium');
  const create = useMutation({
    mutationFn: async () => {
      if (kind === 'code') {
        must(await codeep.POST('/tasks/tasks', { body: { prompt, toolset } }));
      } else {
        must(
          await taskAssistant.POST('/tasks', {
            body: { title, description: prompt || null, priority },
          }),
        );
      }
    },
    onSuccess: () => {
      setPrompt('');
      setTitle('');
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder component="section" aria-labelledby="create-task-title">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2} size="h4" id="create-task-title">
              New task
            </Title>
            <SegmentedControl
              aria-label="Task kind"
              value={kind}
              onChange={(value) => setKind(value as 'code' | 'agent')}
              data={[
                { value: 'code', label: 'Code task' },
                { value: 'agent', label: 'Agent task' },
              ]}
            />
          </Group>
          {kind === 'agent' && (
            <TextInput
              label="Title"
              required
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
            />
          )}
          <Textarea
            label={kind === 'code' ? 'Prompt' : 'Description'}
            required={kind === 'code'}
            autosize
            minRows={2}
            value={prompt}
            onChange={(e) => setPrompt(e.currentTarget.value)}
          />
          {kind === 'code' ? (
            <MultiSelect label="Tools" data={TOOLS} value={toolset} onChange={setToolset} />
          ) : (
            <Select
              label="Priority"
              data={['low', 'medium', 'high']}
              value={priority}
              allowDeselect={false}
              onChange={(value) => setPriority((value ?? 'medium') as typeof priority)}
            />
          )}
          {create.error && (
            <Alert color="red" role="alert">
              {create.error.message}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create task
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function Tasks() {
  const [status, setStatus] = useState<Status | null>(null);
  const [search, setSearch] = useState('');
  const tasks = useQuery({
    queryKey: ['tasks', status],
    queryFn: async () =>
      must(
        await codeep.GET('/tasks/tasks', {
          params: { query: { limit: 200, ...(status ? { status } : {}) } },
        }),
      ).tasks,
  });
  const needle = search.trim().toLowerCase();
  const rows = (tasks.data ?? []).filter(
    (task) =>
      !needle || task.prompt.toLowerCase().includes(needle) || task.task_id.includes(needle),
  );
  return (
    <Stack>
      <Title order={1} size="h2">
        Tasks
      </Title>
      <CreateTask />
      <Group align="end">
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={[...STATUSES]}
          value={status}
          onChange={(value) => setStatus(value as Status | null)}
        />
        <TextInput
          label="Search"
          placeholder="Prompt or id"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
      </Group>
      {tasks.error && <Alert color="red">{tasks.error.message}</Alert>}
      <Table.ScrollContainer minWidth={560}>
        <Table striped highlightOnHover aria-label="Tasks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Task</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Tools</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((task) => (
              <Table.Tr key={task.task_id} data-task-id={task.task_id}>
                <Table.Td>
                  <Link href={`/tasks/${task.task_id}`}>
                    {task.prompt.slice(0, 80) || task.task_id}
                  </Link>
                </Table.Td>
                <Table.Td>
                  <Badge
                    variant="dot"
                    color={STATUS_COLORS[task.status] ?? 'gray'}
                    data-testid="task-status"
                  >
                    {task.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{task.toolset.join(', ') || '—'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatTime(task.created_at)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {tasks.isSuccess && rows.length === 0 && <Text c="dimmed">No tasks yet.</Text>}
    </Stack>
  );
}
