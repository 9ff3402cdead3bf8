import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { codeguide, must } from '../lib/api';
import { formatTime } from '../lib/format';

/**
 * CodeGuide's projects: the list and a new project; each opens its page
 * (ProjectDetail.tsx: documents, generation, task groups).
 */
export default function Projects() {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const projects = useQuery({
    queryKey: ['projects'],
    queryFn: async () => must(await codeguide.GET('/projects')).data,
  });
  const create = useMutation({
    mutationFn: async () =>
      must(await codeguide.POST('/projects', { body: { title, description } })),
    onSuccess: () => {
      setTitle('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Stack>
      <Title order={1} size="h2">
        Projects
      </Title>
      <Card withBorder>
        <form onSubmit={submit}>
          <Stack gap="xs">
            <TextInput
              label="Title"
              required
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
            />
            <Textarea
              label="Description"
              required
              autosize
              minRows={2}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
            {create.error && <Alert color="red">{create.error.message}</Alert>}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Create project
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      {projects.error && <Alert color="red">{projects.error.message}</Alert>}
      {(projects.data ?? []).map((project) => (
        <Card withBorder key={project.id} data-project-id={project.id}>
          <Anchor component={Link} href={`/projects/${project.id}`} fw={600}>
            {project.title}
          </Anchor>
          <Text size="sm" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
            {project.description}
          </Text>
          <Text size="sm" c="dimmed">
            created {formatTime(project.created_at)} ·{' '}
            {project.project_documents.length === 1
              ? '1 document'
              : `${project.project_documents.length} documents`}
          </Text>
        </Card>
      ))}
      {projects.isSuccess && projects.data.length === 0 && <Text c="dimmed">No projects yet.</Text>}
    </Stack>
  );
}
