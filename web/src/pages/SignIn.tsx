import {
  Alert,
  Anchor,
  Button,
  Center,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { cmbcluster, codeep, errorMessage } from '../lib/api';
import { setSession } from '../lib/session';
import { settings } from '../lib/settings';
import { resumeSso, ssoPending, startSso } from '../lib/sso';

/**
 * Password sign-in (username or email) through Codeep; registration on the same form.
 * When the server has OpenID Connect configured (CMBCluster's login), a single sign-on
 * button too; coming back from the provider, the session cookie becomes the session.
 */
export function SignIn() {
  const [mode, setMode] = useState<'signin' | 'register'>('signin');
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [finishingSso, setFinishingSso] = useState(ssoPending);

  useEffect(() => {
    if (!finishingSso) return;
    resumeSso().catch((failure: unknown) => {
      setError(failure instanceof Error ? failure.message : String(failure));
      setFinishingSso(false);
    });
  }, [finishingSso]);

  const signOn = async () => {
    setBusy(true);
    setError(null);
    try {
      await startSso(); // leaves the page
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'register') {
        const reg = await codeep.POST('/auth/register', { body: { username, email, password } });
        if (reg.error) throw new Error(errorMessage(reg.error));
      }
      const { data, error: loginError } = await codeep.POST('/auth/login', {
        body: { username, password },
      });
      if (!data) throw new Error(errorMessage(loginError, 'Sign-in failed'));
      setSession({ token: data.access_token, username: data.user.username, via: 'password' });
      // Opening an environment in a new tab sends cookies, not this token: CMBCluster sets
      // the session's cookie for it (a token of the same session, ended by sign-out).
      if ('cmbcluster' in settings.mounts)
        await cmbcluster.POST('/auth/session').catch(() => undefined);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  if (finishingSso) {
    return (
      <Center mih="100vh" p="md" component="main">
        <Text role="status">Finishing single sign-on…</Text>
      </Center>
    );
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={380} maw="100%" component="main">
        <form onSubmit={submit} aria-label={mode === 'signin' ? 'Sign in' : 'Create account'}>
          <Stack>
            <Title order={1} size="h3">
              {mode === 'signin' ? 'Sign in to Tasklane' : 'Create a Tasklane account'}
            </Title>
            {error && (
              <Alert color="red" role="alert" title="Could not sign in">
                {error}
              </Alert>
            )}
            <TextInput
              label={mode === 'signin' ? 'Username or email' : 'Username'}
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
            />
            {mode === 'register' && (
              <TextInput
                label="Email"
                name="email"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
              />
            )}
            <PasswordInput
              label="Password"
              name="password"
              autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              {mode === 'signin' ? 'Sign in' : 'Create account'}
            </Button>
            {settings.oidc && mode === 'signin' && (
              <>
                <Divider label="or" labelPosition="center" />
                <Button variant="default" onClick={signOn} loading={busy}>
                  Sign in with single sign-on
                </Button>
              </>
            )}
            <Text size="sm">
              {mode === 'signin' ? 'No account yet? ' : 'Have an account? '}
              <Anchor
                component="button"
                type="button"
                onClick={() => setMode(mode === 'signin' ? 'register' : 'signin')}
              >
                {mode === 'signin' ? 'Create one' : 'Sign in'}
              </Anchor>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
