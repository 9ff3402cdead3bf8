import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { codeguide, must } from '../lib/api';
import { formatTime, STATUS_COLORS } from '../lib/format';
import { Markdown } from '../lib/Markdown';

const JOB_COLORS: Record<string, string> = { ...STATUS_COLORS, generating: 'blue' };
const FINISHED = new Set(['completed', 'failed']);
/** How often a generation the user started is asked for its status (no event exists). */
const JOB_POLL_MS = 1500;

function useDocumentTypes() {
  return useQuery({
    queryKey: ['codeguide', 'document-types'],
    queryFn: async () => must(await codeguide.GET('/document-types')).data,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/**
 * Generating documents: `POST /generate/background` queues a durable job, and its
 * status endpoint is read every JOB_POLL_MS until it finishes. CodeGuide publishes no
 * event on the console's socket for it, so this (started by the user, stopped when the
 * job ends or the page closes) is the one place the console polls.
 */
function GenerateDocuments({ projectId }: { projectId: string }) {
  const queryClient = useQueryClient();
  const types = useDocumentTypes();
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const selected = chosen ?? (types.data ?? []).map((t) => t.key);
  const start = useMutation({
    mutationFn: async () =>
      must(
        await codeguide.POST('/generate/background', {
          body: { project_id: projectId, document_types: selected },
        }),
      ),
    onSuccess: (job) => setJobId(job.job_id),
  });
  const job = useQuery({
    queryKey: ['codeguide', 'job', jobId],
    enabled: jobId !== null,
    queryFn: async () =>
      must(
        await codeguide.GET('/generate/background/{job_id}/status', {
          params: { path: { job_id: jobId! } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data && FINISHED.has(query.state.data.status) ? false : JOB_POLL_MS,
    staleTime: 0,
  });
  const status = job.data?.status;
  useEffect(() => {
    // Documents are stored as each is written: show what there is once it ends.
    if (status && FINISHED.has(status)) {
      void queryClient.invalidateQueries({ queryKey: ['project', projectId] });
      void queryClient.invalidateQueries({ queryKey: ['usage'] });
    }
  }, [status, projectId, queryClient]);
  const running = jobId !== null && !(status && FINISHED.has(status));
  return (
    <Card withBorder component="section" aria-labelledby="generate-title">
      <Title order={2} size="h4" id="generate-title">
        Generate documents
      </Title>
      <Text size="sm" c="dimmed">
        The model writes each chosen document from the project's description (costs credits);
        generating a type again replaces its document.
      </Text>
      {types.data && (
        <Checkbox.Group label="Document types" value={selected} onChange={setChosen} mt="sm">
          <Group gap="md" mt={4}>
            {types.data.map((t) => (
              <Checkbox key={t.key} value={t.key} label={t.name} />
            ))}
          </Group>
        </Checkbox.Group>
      )}
      <Group mt="sm">
        <Button
          onClick={() => start.mutate()}
          loading={start.isPending || running}
          disabled={selected.length === 0}
        >
          Generate documents
        </Button>
        {status && (
          <Badge color={JOB_COLORS[status] ?? 'gray'} variant="dot" data-testid="job-status">
            {status}
          </Badge>
        )}
      </Group>
      {job.data && (
        <Group gap="xs" mt="sm" aria-label="Progress per document">
          {Object.entries(job.data.progress).map(([type, state]) => (
            <Badge key={type} variant="dot" color={JOB_COLORS[state] ?? 'gray'}>
              {(types.data ?? []).find((t) => t.key === type)?.name ?? type}: {state}
            </Badge>
          ))}
        </Group>
      )}
      {(start.error ?? job.error) && (
        <Alert color="red" mt="sm" role="alert">
          {(start.error ?? job.error)?.message}
        </Alert>
      )}
      {job.data?.error && (
        <Alert color="orange" mt="sm">
          {job.data.error}
        </Alert>
      )}
    </Card>
  );
}

type Project = NonNullable<Awaited<ReturnType<typeof fetchProject>>>;
async function fetchProject(id: string) {
  return must(
    await codeguide.GET('/projects/{project_id}', { params: { path: { project_id: id } } }),
  ).data;
}

function Documents({ project }: { project: Project }) {
  const types = useDocumentTypes();
  const documents = [...project.project_documents].sort((a, b) => {
    const order = (key: string) => types.data?.find((t) => t.key === key)?.ordinal ?? 999;
    return order(a.document_type) - order(b.document_type);
  });
  const nameOf = (key: string) => types.data?.find((t) => t.key === key)?.name ?? key;
  return (
    <Card withBorder component="section" aria-labelledby="documents-title">
      <Title order={2} size="h4" id="documents-title">
        Documents
      </Title>
      {documents.length === 0 ? (
        <Text c="dimmed">No documents yet: generate them below.</Text>
      ) : (
        <Tabs defaultValue={documents[0]!.document_type} keepMounted={false} mt="sm">
          <Tabs.List>
            {documents.map((d) => (
              <Tabs.Tab key={d.id} value={d.document_type}>
                {nameOf(d.document_type)}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {documents.map((d) => (
            <Tabs.Panel key={d.id} value={d.document_type} pt="sm">
              <Text size="xs" c="dimmed">
                Written {formatTime(d.updated_at)}
              </Text>
              <article data-testid="document" data-document-type={d.document_type}>
                <Markdown source={d.content} headingOffset={2} />
              </article>
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </Card>
  );
}

/** The project's task groups and their tasks (subtasks under their parent), read-only. */
function TaskGroups({ projectId }: { projectId: string }) {
  const groups = useQuery({
    queryKey: ['project', projectId, 'task-groups'],
    queryFn: async () =>
      must(await codeguide.GET('/task-groups')).data.filter((g) => g.project_id === projectId),
  });
  return (
    <Card withBorder component="section" aria-labelledby="task-groups-title">
      <Title order={2} size="h4" id="task-groups-title">
        Task groups
      </Title>
      {groups.error && <Alert color="red">{groups.error.message}</Alert>}
      {groups.isSuccess && groups.data.length === 0 && (
        <Text c="dimmed">No task groups in this project.</Text>
      )}
      {(groups.data ?? []).map((group) => {
        const tasks = group.project_tasks;
        const depth = (task: (typeof tasks)[number]): number => {
          let level = 0;
          let parent = task.parent_task_id;
          while (parent && level < 10) {
            level++;
            parent = tasks.find((t) => t.id === parent)?.parent_task_id ?? null;
          }
          return level;
        };
        // Parents first, each followed by its subtasks.
        const ordered: (typeof tasks)[number][] = [];
        const place = (parent: string | null) => {
          for (const task of tasks.filter((t) => t.parent_task_id === parent)) {
            ordered.push(task);
            place(task.id);
          }
        };
        place(null);
        for (const task of tasks) if (!ordered.includes(task)) ordered.push(task);
        return (
          <Stack key={group.id} gap={4} mt="sm" data-task-group-id={group.id}>
            <Text fw={600}>{group.name}</Text>
            {group.description && <Text size="sm">{group.description}</Text>}
            <Table.ScrollContainer minWidth={420}>
              <Table aria-label={`Tasks of ${group.name}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Task</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Description</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {ordered.map((task) => (
                    <Table.Tr key={task.id}>
                      <Table.Td style={{ paddingLeft: `calc(${depth(task)} * 1.25rem + 0.5rem)` }}>
                        {task.title}
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="dot" color={STATUS_COLORS[task.status] ?? 'gray'}>
                          {task.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{task.description}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        );
      })}
    </Card>
  );
}

/**
 * A CodeGuide project: its description, its generated documents rendered as Markdown,
 * generating them, and its task groups with their tasks.
 */
export default function ProjectDetail({ id }: { id: string }) {
  const project = useQuery({ queryKey: ['project', id], queryFn: () => fetchProject(id) });
  return (
    <Stack>
      <Anchor component={Link} href="/projects" size="sm">
        ← Projects
      </Anchor>
      {project.error && <Alert color="red">{project.error.message}</Alert>}
      {project.data && (
        <>
          <Title order={1} size="h2">
            {project.data.title}
          </Title>
          <Text style={{ whiteSpace: 'pre-wrap' }}>{project.data.description}</Text>
          <Text size="sm" c="dimmed">
            created {formatTime(project.data.created_at)}
            {typeof project.data.status === 'string' ? ` · ${project.data.status}` : ''}
          </Text>
          <Documents project={project.data} />
          <GenerateDocuments projectId={id} />
          <TaskGroups projectId={id} />
        </>
      )}
    </Stack>
  );
}
