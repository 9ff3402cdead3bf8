/**
 * What the server tells the console about itself: the console's mount, each API
 * surface's mount and whether OpenID Connect sign-in (CMBCluster's) is configured, from
 * the <meta name="tasklane-console"> tag it adds to index.html. Under `vite dev` there is
 * no tag: the defaults are the server's default mounts, without OpenID Connect.
 */
export interface ConsoleSettings {
  mount: string;
  mounts: Partial<
    Record<'codeep' | 'codeguide' | 'autoserve' | 'taskassistant' | 'cmbcluster', string>
  >;
  oidc: boolean;
}

const DEFAULTS: ConsoleSettings = {
  mount: '',
  mounts: { codeep: '/v1', codeguide: '/v1', autoserve: '', taskassistant: '', cmbcluster: '/cmb' },
  oidc: false,
};

function read(): ConsoleSettings {
  const tag = document.querySelector('meta[name="tasklane-console"]');
  if (!tag) return DEFAULTS;
  try {
    return { ...DEFAULTS, ...JSON.parse(tag.getAttribute('content') ?? '{}') };
  } catch {
    return DEFAULTS;
  }
}

export const settings = read();

/** An absolute URL on this origin under a surface's mount. */
export function surfaceUrl(surface: keyof ConsoleSettings['mounts'], path = ''): string {
  return `${window.location.origin}${settings.mounts[surface] ?? ''}${path}`;
}
