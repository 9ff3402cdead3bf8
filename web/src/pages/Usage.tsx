import {
  Alert,
  Card,
  Group,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { codeep, must } from '../lib/api';
import { Chart, type ChartOption } from '../lib/Chart';
import { usd } from '../lib/format';

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
      <Text size="sm" c="dimmed">
        Tokens and cost per model appear here once the credit-metering surface (CodeGuide's usage
        endpoints) is served; today these are Codeep's dashboard numbers.
      </Text>
    </Stack>
  );
}
