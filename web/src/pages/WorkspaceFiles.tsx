import {
  ActionIcon,
  Alert,
  Button,
  Card,
  FileInput,
  Group,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { cmbcluster, errorMessage, must } from '../lib/api';
import { formatTime } from '../lib/format';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The user's workspace (what every environment sees at /workspace): list, upload,
 * download and delete through CMBCluster's /user-files. Downloads are fetched with the
 * session's token and handed to the browser as a file (a plain link would carry no
 * token).
 */
export function WorkspaceFiles() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['cmb'] });
  const files = useQuery({
    queryKey: ['cmb', 'files'],
    queryFn: async () => must(await cmbcluster.GET('/user-files')).data.files,
  });
  const upload = useMutation({
    mutationFn: async (chosen: File) => {
      const form = new FormData();
      form.append('file', chosen, chosen.name);
      // The route takes multipart (no JSON body in its schema): the form is sent as is.
      return must(await cmbcluster.POST('/user-files/upload', { body: form as never }));
    },
    onSuccess: () => setFile(null),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: async (filename: string) =>
      must(await cmbcluster.DELETE('/user-files/{filename}', { params: { path: { filename } } })),
    onSettled: refresh,
  });
  const download = useMutation({
    mutationFn: async (filename: string) => {
      const result = await cmbcluster.GET('/user-files/{filename}', {
        params: { path: { filename } },
        parseAs: 'blob',
      });
      if (!result.response.ok) {
        throw new Error(errorMessage(result.error, `HTTP ${result.response.status}`));
      }
      const url = URL.createObjectURL(result.data as unknown as Blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (file) upload.mutate(file);
  };
  const error = files.error ?? upload.error ?? remove.error ?? download.error;
  return (
    <Card withBorder component="section" aria-labelledby="files-title">
      <Title order={2} size="h4" id="files-title">
        Workspace files
      </Title>
      <Text size="sm" c="dimmed">
        Every environment you start sees these at /workspace (the default image serves them over
        HTTP).
      </Text>
      <form onSubmit={submit}>
        <Group align="end" mt="sm">
          <FileInput label="File" value={file} onChange={setFile} clearable miw={240} />
          <Button type="submit" disabled={!file} loading={upload.isPending}>
            Upload
          </Button>
        </Group>
      </form>
      {error && (
        <Alert color="red" mt="sm" role="alert">
          {error.message}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={480} mt="sm">
        <Table aria-label="Workspace files">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Modified</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(files.data ?? []).map((f) => (
              <Table.Tr key={f.filename}>
                <Table.Td>
                  <code>{f.filename}</code>
                </Table.Td>
                <Table.Td>{size(f.size_bytes)}</Table.Td>
                <Table.Td>{formatTime(f.created_at)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="compact-sm"
                      variant="default"
                      onClick={() => download.mutate(f.filename)}
                      aria-label={`Download ${f.filename}`}
                    >
                      Download
                    </Button>
                    <ActionIcon
                      variant="default"
                      aria-label={`Delete ${f.filename}`}
                      onClick={() => remove.mutate(f.filename)}
                    >
                      ×
                    </ActionIcon>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {files.isSuccess && files.data.length === 0 && <Text c="dimmed">No files yet.</Text>}
    </Card>
  );
}
