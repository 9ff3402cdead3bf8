import {
  Alert,
  Button,
  Card,
  Grid,
  Group,
  NavLink,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage, must, taskAssistant } from '../lib/api';
import { usd } from '../lib/format';

interface Message {
  id: string;
  role: string;
  content: string;
  tokens_used?: number | null;
  cost?: number | null;
}

/** Reads Task Assistant's SSE reply (`data: {type: start|token|done|error}` lines). */
async function* readSse(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) yield JSON.parse(data) as Record<string, unknown>;
      end = buffer.indexOf('\n\n');
    }
  }
}

function Conversation({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState('');
  const [streaming, setStreaming] = useState<Message | null>(null);
  const [error, setError] = useState<string | null>(null);
  const messages = useQuery({
    queryKey: ['chat', id, 'messages'],
    queryFn: async () => {
      return must(
        await taskAssistant.GET('/chat/conversations/{id}/messages', { params: { path: { id } } }),
      ).items as Message[];
    },
  });
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const content = draft.trim();
    if (!content || streaming) return;
    setError(null);
    setDraft('');
    queryClient.setQueryData<Message[]>(['chat', id, 'messages'], (old = []) => [
      ...old,
      { id: `local-${Date.now()}`, role: 'user', content },
    ]);
    const reply: Message = { id: 'streaming', role: 'assistant', content: '' };
    setStreaming(reply);
    try {
      const { response, error: failure } = await taskAssistant.POST(
        '/chat/conversations/{id}/messages',
        { params: { path: { id } }, body: { message: content, stream: true }, parseAs: 'stream' },
      );
      if (!response.ok || !response.body)
        throw new Error(errorMessage(failure, `HTTP ${response.status}`));
      for await (const chunk of readSse(response.body)) {
        if (chunk.type === 'token') reply.content += String(chunk.content ?? '');
        else if (chunk.type === 'done') {
          reply.tokens_used = Number(chunk.tokens_used ?? 0);
          reply.cost = Number(chunk.cost ?? 0);
        } else if (chunk.type === 'error') throw new Error(String(chunk.detail ?? 'Model error'));
        setStreaming({ ...reply });
      }
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setStreaming(null);
      void queryClient.invalidateQueries({ queryKey: ['chat', id, 'messages'] });
    }
  };
  const shown = [...(messages.data ?? []), ...(streaming ? [streaming] : [])];
  return (
    <Stack>
      <ScrollArea.Autosize mah="60vh" aria-live="polite">
        <Stack gap="xs">
          {shown.map((m) => (
            <Paper
              key={m.id}
              withBorder
              p="sm"
              bg={m.role === 'user' ? 'var(--mantine-color-blue-light)' : undefined}
              data-role={m.role}
            >
              <Text size="xs" c="dimmed">
                {m.role}
                {m.role === 'assistant' &&
                  typeof m.cost === 'number' &&
                  ` · ${m.tokens_used ?? 0} tokens · ${usd(m.cost)}`}
              </Text>
              <Text style={{ whiteSpace: 'pre-wrap' }}>{m.content}</Text>
            </Paper>
          ))}
        </Stack>
      </ScrollArea.Autosize>
      {error && <Alert color="red">{error}</Alert>}
      <form onSubmit={send}>
        <Group align="end">
          <Textarea
            style={{ flex: 1 }}
            label="Message"
            autosize
            minRows={1}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
          />
          <Button type="submit" loading={streaming !== null}>
            Send
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

export default function Chat() {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [model, setModel] = useState('');
  const conversations = useQuery({
    queryKey: ['chat', 'conversations'],
    queryFn: async () => {
      return must(await taskAssistant.GET('/chat/conversations')).items;
    },
  });
  const create = useMutation({
    mutationFn: async () =>
      must(
        await taskAssistant.POST('/chat/conversations', {
          body: { title: title || 'New conversation', ...(model ? { model } : {}) },
        }),
      ),
    onSuccess: (conversation) => {
      setTitle('');
      setSelected(conversation.id);
      void queryClient.invalidateQueries({ queryKey: ['chat', 'conversations'] });
    },
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Chat
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                create.mutate();
              }}
            >
              <Stack gap="xs">
                <TextInput
                  label="Title"
                  value={title}
                  onChange={(e) => setTitle(e.currentTarget.value)}
                />
                <TextInput
                  label="Model (empty: the server's default)"
                  value={model}
                  onChange={(e) => setModel(e.currentTarget.value)}
                />
                <Button type="submit" loading={create.isPending}>
                  New conversation
                </Button>
                {create.error && <Alert color="red">{create.error.message}</Alert>}
              </Stack>
            </form>
            <Stack gap={0} mt="md" component="nav" aria-label="Conversations">
              {(conversations.data ?? []).map((c) => (
                <NavLink
                  key={c.id}
                  label={c.model ? `${c.title ?? c.id} · ${c.model}` : (c.title ?? c.id)}
                  active={c.id === selected}
                  variant="filled"
                  onClick={() => setSelected(c.id)}
                />
              ))}
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selected ? (
            <Conversation key={selected} id={selected} />
          ) : (
            <Text c="dimmed">Pick or start a conversation.</Text>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
