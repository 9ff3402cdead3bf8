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
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { must, taskAssistant } from '../lib/api';
import { formatTime, STATUS_COLORS, usd } from '../lib/format';

const TOOLS = [
  'code_executor',
  'file_reader',
  'file_writer',
  'browser_screenshot',
  'http_fetch',
  'calculator',
  'search',
];

function AgentRuns({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const [input, setInput] = useState('');
  const runs = useQuery({
    queryKey: ['agents', id, 'runs'],
    queryFn: async () =>
      must(await taskAssistant.GET('/agents/{id}/runs', { params: { path: { id } } })).items,
  });
  const execute = useMutation({
    // In the background: the run's events arrive on the live connection.
    mutationFn: async () =>
      must(
        await taskAssistant.POST('/agents/{id}/execute', {
          params: { path: { id } },
          body: { input, background: true },
        }),
      ),
    onSuccess: () => {
      setInput('');
      void queryClient.invalidateQueries({ queryKey: ['agents', id, 'runs'] });
    },
  });
  return (
    <Stack gap="xs">
      <Group align="end">
        <Textarea
          style={{ flex: 1 }}
          label="Input"
          autosize
          minRows={1}
          value={input}
          onChange={(e) => setInput(e.currentTarget.value)}
        />
        <Button
          onClick={() => execute.mutate()}
          loading={execute.isPending}
          disabled={!input.trim()}
        >
          Run
        </Button>
      </Group>
      {execute.error && <Alert color="red">{execute.error.message}</Alert>}
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label="Runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Tokens / cost</Table.Th>
              <Table.Th>Output</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(runs.data ?? []).map((run) => (
              <Table.Tr key={run.run_id}>
                <Table.Td>{formatTime(run.created_at)}</Table.Td>
                <Table.Td>
                  <Badge variant="dot" color={STATUS_COLORS[run.status] ?? 'gray'}>
                    {run.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {run.tokens_used ?? 0} · {usd(run.cost ?? 0)}
                </Table.Td>
                <Table.Td>
                  <Code>{String(run.error_message ?? run.output ?? '').slice(0, 200)}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export default function Agents() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [instructions, setInstructions] = useState('');
  const [tools, setTools] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: async () => must(await taskAssistant.GET('/agents')).items,
  });
  const create = useMutation({
    mutationFn: async () =>
      must(
        await taskAssistant.POST('/agents', {
          body: { name, instructions: instructions || null, tools },
        }),
      ),
    onSuccess: () => {
      setName('');
      setInstructions('');
      void queryClient.invalidateQueries({ queryKey: ['agents'] });
    },
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Agents
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
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Textarea
              label="Instructions"
              autosize
              minRows={2}
              value={instructions}
              onChange={(e) => setInstructions(e.currentTarget.value)}
            />
            <MultiSelect label="Tools" data={TOOLS} value={tools} onChange={setTools} />
            {create.error && <Alert color="red">{create.error.message}</Alert>}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Create agent
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      {(agents.data ?? []).map((agent) => (
        <Card withBorder key={agent.id}>
          <Group justify="space-between">
            <div>
              <Text fw={600}>{agent.name}</Text>
              <Text size="sm" c="dimmed">
                {agent.description ?? agent.id}
              </Text>
            </div>
            <Button variant="default" onClick={() => setOpen(open === agent.id ? null : agent.id)}>
              {open === agent.id ? 'Hide runs' : 'Runs'}
            </Button>
          </Group>
          {open === agent.id && <AgentRuns id={agent.id} />}
        </Card>
      ))}
      {agents.isSuccess && agents.data.length === 0 && <Text c="dimmed">No agents yet.</Text>}
    </Stack>
  );
}
