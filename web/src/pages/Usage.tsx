import {
  Alert,
  Card,
  Group,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { codeep, codeguide, must } from '../lib/api';
import { Chart, type ChartOption } from '../lib/Chart';
import { formatTime, usd } from '../lib/format';
import { settings } from '../lib/settings';

/** CodeGuide's credits: 1 credit = $0.001. */
const USD_PER_CREDIT = 0.001;
const count = (n: number) => n.toLocaleString('en-US');
const credits = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** The UTC day (YYYY-MM-DD) `back` days before today. */
function utcDay(back: number): string {
  return new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Tokens and cost per model over the chosen period, and the credits left in the billing
 * cycle: CodeGuide's `GET /usage/summary` and `GET /usage/credit-balance`, which read the
 * one usage ledger every surface books to (chat, agents, tasks, generation).
 */
function ModelUsage({ days }: { days: number }) {
  const summary = useQuery({
    queryKey: ['usage', 'models', days],
    queryFn: async () =>
      must(
        await codeguide.GET('/usage/summary', {
          params: { query: { start_date: utcDay(days - 1), end_date: utcDay(0) } },
        }),
      ),
  });
  const balance = useQuery({
    queryKey: ['usage', 'credits'],
    queryFn: async () => must(await codeguide.GET('/usage/credit-balance')),
  });
  const rows = useMemo(
    () =>
      Object.entries(summary.data?.usage_summary.model_breakdown ?? {}).sort(
        ([, a], [, b]) => b.input_tokens + b.output_tokens - (a.input_tokens + a.output_tokens),
      ),
    [summary.data],
  );
  const option = useMemo<ChartOption | undefined>(() => {
    if (rows.length === 0) return undefined;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['input tokens', 'output tokens', 'credits'] },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: rows.map(([model]) => model) },
      yAxis: [
        { type: 'value', name: 'tokens', minInterval: 1 },
        { type: 'value', name: 'credits', splitLine: { show: false } },
      ],
      series: [
        {
          name: 'input tokens',
          type: 'bar',
          stack: 'tokens',
          data: rows.map(([, r]) => r.input_tokens),
          color: '#1c7ed6',
        },
        {
          name: 'output tokens',
          type: 'bar',
          stack: 'tokens',
          data: rows.map(([, r]) => r.output_tokens),
          color: '#7048e8',
        },
        {
          name: 'credits',
          type: 'bar',
          yAxisIndex: 1,
          data: rows.map(([, r]) => r.credits_used),
          color: '#f08c00',
        },
      ],
    };
  }, [rows]);
  const total = rows.reduce(
    (sum, [, r]) => ({
      calls: sum.calls + r.calls,
      input: sum.input + r.input_tokens,
      output: sum.output + r.output_tokens,
      credits: sum.credits + r.credits_used,
    }),
    { calls: 0, input: 0, output: 0, credits: 0 },
  );
  const error = summary.error ?? balance.error;
  const b = balance.data;
  return (
    <>
      {error && <Alert color="red">{error.message}</Alert>}
      {b && (
        <Card withBorder component="section" aria-labelledby="credits-title">
          <Text fw={600} id="credits-title">
            Credits left this cycle ({b.subscription.plan} plan)
          </Text>
          <Text data-testid="credits-remaining">
            {credits(b.remaining_credits)} of {credits(b.total_allotted)} credits (
            {usd(b.remaining_credits * USD_PER_CREDIT)}); the cycle ends{' '}
            {formatTime(b.billing_cycle_end)}
          </Text>
          <Progress
            mt="xs"
            value={Math.min(100, b.utilization_percentage)}
            aria-label="Credits used this cycle"
          />
        </Card>
      )}
      {summary.data && (
        <Card withBorder component="section" aria-labelledby="models-title">
          <Text fw={600} id="models-title">
            Tokens and cost per model (since {summary.data.period.start_date})
          </Text>
          {option ? (
            <Chart option={option} label="Input and output tokens and credits used, per model" />
          ) : (
            <Text c="dimmed">No model usage in this period.</Text>
          )}
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Usage per model">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Calls</Table.Th>
                  <Table.Th>Input tokens</Table.Th>
                  <Table.Th>Output tokens</Table.Th>
                  <Table.Th>Credits</Table.Th>
                  <Table.Th>Cost</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map(([model, r]) => (
                  <Table.Tr key={model} data-model={model}>
                    <Table.Td>
                      <code>{model}</code>
                    </Table.Td>
                    <Table.Td>{count(r.calls)}</Table.Td>
                    <Table.Td>{count(r.input_tokens)}</Table.Td>
                    <Table.Td>{count(r.output_tokens)}</Table.Td>
                    <Table.Td>{credits(r.credits_used)}</Table.Td>
                    <Table.Td>{usd(r.credits_used * USD_PER_CREDIT)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
              <Table.Tfoot>
                <Table.Tr fw={600}>
                  <Table.Th scope="row">Total</Table.Th>
                  <Table.Td data-testid="models-total-calls">{count(total.calls)}</Table.Td>
                  <Table.Td data-testid="models-total-input">{count(total.input)}</Table.Td>
                  <Table.Td data-testid="models-total-output">{count(total.output)}</Table.Td>
                  <Table.Td data-testid="models-total-credits">{credits(total.credits)}</Table.Td>
                  <Table.Td>{usd(total.credits * USD_PER_CREDIT)}</Table.Td>
                </Table.Tr>
              </Table.Tfoot>
            </Table>
          </Table.ScrollContainer>
          <Text size="sm" c="dimmed" data-testid="usage-all">
            All usage in this period, sandbox time included:{' '}
            {count(summary.data.usage_summary.total_calls)} calls,{' '}
            {credits(summary.data.usage_summary.total_credits_used)} credits (
            {usd(summary.data.usage_summary.total_credits_used * USD_PER_CREDIT)}).
          </Text>
        </Card>
      )}
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
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

/** Usage and credits: Codeep's dashboard numbers (stats and usage), live on task events. */
export default function Usage() {
  const [days, setDays] = useState('30');
  const stats = useQuery({
    queryKey: ['usage', 'stats'],
    queryFn: async () => must(await codeep.GET('/dashboard/stats')),
  });
  const usage = useQuery({
    queryKey: ['usage', 'daily', days],
    queryFn: async () =>
      must(await codeep.GET('/dashboard/usage', { params: { query: { days: Number(days) } } })),
  });
  const tasksOption = useMemo<ChartOption | undefined>(() => {
    if (!usage.data) return undefined;
    const rows = usage.data.daily_breakdown;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['completed', 'failed', 'other'] },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: rows.map((r) => r.date.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: 'completed',
          type: 'bar',
          stack: 'tasks',
          data: rows.map((r) => r.completed),
          color: '#2f9e44',
        },
        {
          name: 'failed',
          type: 'bar',
          stack: 'tasks',
          data: rows.map((r) => r.failed),
          color: '#e03131',
        },
        {
          name: 'other',
          type: 'bar',
          stack: 'tasks',
          data: rows.map((r) => r.total - r.completed - r.failed),
          color: '#868e96',
        },
      ],
    };
  }, [usage.data]);
  const quotaOption = useMemo<ChartOption | undefined>(() => {
    if (!usage.data) return undefined;
    const rows = usage.data.quota_usage;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['requests', 'daily limit'] },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: rows.map((r) => r.date.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: 'requests', type: 'bar', data: rows.map((r) => r.requests), color: '#1c7ed6' },
        {
          name: 'daily limit',
          type: 'line',
          step: 'middle',
          data: rows.map((r) => r.limit),
          color: '#f08c00',
        },
      ],
    };
  }, [usage.data]);

  const error = stats.error ?? usage.error;
  const quota = stats.data?.quota_info;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Usage and credits
        </Title>
        <SegmentedControl
          aria-label="Period"
          value={days}
          onChange={setDays}
          data={[
            { value: '7', label: '7 days' },
            { value: '30', label: '30 days' },
            { value: '90', label: '90 days' },
          ]}
        />
      </Group>
      {error && <Alert color="red">{error.message}</Alert>}
      {stats.data && quota && (
        <>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
            <Stat
              label="Tasks (all time)"
              value={String(stats.data.task_stats.total)}
              testId="stat-total"
            />
            <Stat label="Success rate" value={`${stats.data.task_stats.success_rate}%`} />
            <Stat
              label="Cost today"
              value={usd(stats.data.cost_estimate.today)}
              testId="stat-cost-today"
            />
            <Stat label="Cost this month" value={usd(stats.data.cost_estimate.monthly)} />
          </SimpleGrid>
          <Card withBorder>
            <Text fw={600}>Left today</Text>
            <Text data-testid="quota-remaining">
              {quota.remaining_today} of {quota.daily_limit} tasks ({quota.used_today} used)
            </Text>
            <Progress
              mt="xs"
              value={quota.daily_limit ? (100 * quota.used_today) / quota.daily_limit : 0}
              aria-label="Daily quota used"
            />
          </Card>
        </>
      )}
      {usage.data && tasksOption && quotaOption && (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <Card withBorder>
            <Text fw={600}>
              Tasks per day ({usage.data.summary.total_tasks} in {usage.data.period.days} days)
            </Text>
            <Chart option={tasksOption} label="Tasks per day, completed and failed" />
          </Card>
          <Card withBorder>
            <Text fw={600}>Quota use per day</Text>
            <Chart option={quotaOption} label="Tasks counted against the daily quota, per day" />
          </Card>
        </SimpleGrid>
      )}
      {'codeguide' in settings.mounts ? (
        <ModelUsage days={Number(days)} />
      ) : (
        <Text size="sm" c="dimmed">
          Tokens and cost per model come from CodeGuide's usage endpoints, which this server does
          not serve.
        </Text>
      )}
    </Stack>
  );
}
