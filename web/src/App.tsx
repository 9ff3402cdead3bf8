import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { QueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useSyncExternalStore } from 'react';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { autoserve, cmbcluster } from './lib/api';
import { startLive, useLiveStatus } from './lib/live';
import { getSession, setSession, subscribeSession } from './lib/session';
import { settings } from './lib/settings';
import { NAV } from './nav';
import { SignIn } from './pages/SignIn';
import { TaskDetail } from './pages/TaskDetail';
import { Tasks } from './pages/Tasks';

// Pages with heavy dependencies (charts) load when first opened.
const Usage = lazy(() => import('./pages/Usage'));
const Chat = lazy(() => import('./pages/Chat'));
const Agents = lazy(() => import('./pages/Agents'));
const Webhooks = lazy(() => import('./pages/Webhooks'));
const Environments = lazy(() => import('./pages/Environments'));
const Operations = lazy(() => import('./pages/Operations'));
const Projects = lazy(() => import('./pages/Projects'));
const ProjectDetail = lazy(() => import('./pages/ProjectDetail'));

function useSession() {
  return useSyncExternalStore(subscribeSession, getSession);
}

function LiveBadge() {
  const status = useLiveStatus();
  const color = status === 'live' ? 'green' : status === 'connecting' ? 'yellow' : 'gray';
  return (
    <Badge color={color} variant="dot" aria-label={`Live updates: ${status}`}>
      {status}
    </Badge>
  );
}

function Shell({ queryClient }: { queryClient: QueryClient }) {
  const session = useSession()!;
  const [opened, { toggle, close }] = useDisclosure();
  const [location] = useLocation();
  useEffect(() => startLive(queryClient), [queryClient]);
  const signOut = async () => {
    // Ends the whole session (every token of this login) on the server; CMBCluster's
    // logout does that and also clears the session cookie (set after any sign-in).
    const logout =
      'cmbcluster' in settings.mounts
        ? cmbcluster.GET('/auth/logout')
        : autoserve.POST('/auth/logout');
    await logout.catch(() => undefined);
    queryClient.clear();
    setSession(null);
  };
  const entries = NAV.filter((entry) => !entry.surface || entry.surface in settings.mounts);
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4">
              Tasklane
            </Title>
            <LiveBadge />
          </Group>
          <Group wrap="nowrap">
            <Text size="sm" visibleFrom="xs">
              {session.username}
            </Text>
            <Button variant="default" size="xs" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Sections">
        {entries.map((entry) => (
          <NavLink
            key={entry.path}
            component={Link}
            href={entry.path}
            label={entry.label}
            variant="filled"
            active={location === entry.path || location.startsWith(`${entry.path}/`)}
            onClick={close}
          />
        ))}
        <NavLink href="/docs" label="API reference" component="a" />
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Text>Loading…</Text>}>
          <Switch>
            <Route path="/tasks" component={Tasks} />
            <Route path="/tasks/:id">{(params) => <TaskDetail id={params.id} />}</Route>
            <Route path="/usage" component={Usage} />
            <Route path="/chat" component={Chat} />
            <Route path="/agents" component={Agents} />
            <Route path="/webhooks" component={Webhooks} />
            <Route path="/environments/:tab?">
              {(params) => <Environments tab={params.tab} />}
            </Route>
            <Route path="/environment">
              <Redirect to="/environments/variables" replace />
            </Route>
            <Route path="/operations" component={Operations} />
            <Route path="/projects" component={Projects} />
            <Route path="/projects/:id">{(params) => <ProjectDetail id={params.id} />}</Route>
            <Route>
              <Redirect to="/tasks" replace />
            </Route>
          </Switch>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  const session = useSession();
  return (
    <Router base={settings.mount}>
      {session ? <Shell queryClient={queryClient} /> : <SignIn />}
    </Router>
  );
}
