/** The frame of every signed-in page: header with the user and sign-out, navigation, page. */
import { Burger, Button, Group, NavLink, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useSession } from '../api/use-session';

const pages = [
  { to: '/repositories', label: 'Repositories' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/cache-rules', label: 'Cache rules' },
  { to: '/storage', label: 'Storage' },
  { to: '/regions', label: 'Regions' },
];

/** Shown to Owners only: nobody else may manage identities. */
const ownerPages = [
  { to: '/identities', label: 'Identities' },
  { to: '/tokens', label: 'Tokens' },
  { to: '/scope-maps', label: 'Scope maps' },
];

export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }) {
  const session = useSession();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const active = (to: string) =>
    location.pathname.startsWith(to) ||
    (to === '/repositories' && ['/repository', '/image'].includes(location.pathname));
  return (
    <>
      <header className="portal-header">
        <Group gap="sm" wrap="nowrap">
          <Burger
            className="portal-menu-button"
            opened={open}
            onClick={() => setOpen((value) => !value)}
            color="#fff"
            size="sm"
            aria-label={open ? 'Close navigation' : 'Open navigation'}
            aria-controls="portal-nav"
            aria-expanded={open}
          />
          <Text component={Link} to="/repositories" fw={700} size="lg" td="none">
            Meridian
          </Text>
        </Group>
        <Group gap="sm" wrap="nowrap">
          <Text size="sm" className="portal-hide-narrow" data-testid="signed-in-as">
            {session.username}
            {session.mayChange ? '' : ' (read only)'}
          </Text>
          <Button variant="white" size="xs" onClick={onSignOut}>
            Sign out
          </Button>
        </Group>
      </header>
      <div className="portal-body">
        <nav id="portal-nav" className="portal-nav" aria-label="Portal" data-open={open}>
          {[...pages, ...(session.mayManageIdentities ? ownerPages : [])].map((page) => (
            <NavLink
              key={page.to}
              component={Link}
              to={page.to}
              label={page.label}
              active={active(page.to)}
              aria-current={active(page.to) ? 'page' : undefined}
              onClick={() => setOpen(false)}
            />
          ))}
        </nav>
        <main className="portal-main">{children}</main>
      </div>
    </>
  );
}
