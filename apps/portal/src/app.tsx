/**
 * The portal: sign-in first, then the pages, each a client route under `/portal` (the
 * gateway answers every such path with index.html). The session lives in this component's
 * state only: a reload or a new tab signs in again (see api/registry-session.ts).
 */
import { Loader, MantineProvider } from '@mantine/core';
import { type ComponentType, Suspense, lazy, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import type { RegistrySession } from './api/registry-session';
import { SessionContext } from './api/use-session';
import { Layout } from './components/layout';
import { SignInPage } from './pages/sign-in.page';

/** A page's code, fetched the first time it is shown: the sign-in screen needs none of it. */
function page<Name extends string>(
  load: () => Promise<Record<Name, ComponentType>>,
  name: Name,
): ComponentType {
  return lazy(async (): Promise<{ default: ComponentType }> => ({ default: (await load())[name] }));
}

const CacheRulesPage = page(() => import('./pages/cache-rules.page'), 'CacheRulesPage');
const IdentitiesPage = page(() => import('./pages/identities.page'), 'IdentitiesPage');
const ImagePage = page(() => import('./pages/image.page'), 'ImagePage');
const RegionsPage = page(() => import('./pages/regions.page'), 'RegionsPage');
const RepositoriesPage = page(() => import('./pages/repositories.page'), 'RepositoriesPage');
const RepositoryPage = page(() => import('./pages/repository.page'), 'RepositoryPage');
const ScopeMapsPage = page(() => import('./pages/scope-maps.page'), 'ScopeMapsPage');
const StoragePage = page(() => import('./pages/storage.page'), 'StoragePage');
const TokensPage = page(() => import('./pages/tokens.page'), 'TokensPage');
const WebhooksPage = page(() => import('./pages/webhooks.page'), 'WebhooksPage');

export function App() {
  const [session, setSession] = useState<RegistrySession | undefined>();
  return (
    <MantineProvider withCssVariables={false} withGlobalClasses={false} forceColorScheme="light">
      <BrowserRouter basename="/portal">
        {session === undefined ? (
          <SignInPage onSignedIn={setSession} />
        ) : (
          <SessionContext.Provider value={session}>
            <Layout onSignOut={() => setSession(undefined)}>
              <Suspense fallback={<Loader />}>
                <Routes>
                  <Route path="/" element={<Navigate to="/repositories" replace />} />
                  <Route path="/repositories" element={<RepositoriesPage />} />
                  <Route path="/repository" element={<RepositoryPage />} />
                  <Route path="/image" element={<ImagePage />} />
                  <Route path="/webhooks" element={<WebhooksPage />} />
                  <Route path="/cache-rules" element={<CacheRulesPage />} />
                  <Route path="/storage" element={<StoragePage />} />
                  <Route path="/regions" element={<RegionsPage />} />
                  <Route path="/identities" element={<IdentitiesPage />} />
                  <Route path="/tokens" element={<TokensPage />} />
                  <Route path="/scope-maps" element={<ScopeMapsPage />} />
                  <Route path="*" element={<Navigate to="/repositories" replace />} />
                </Routes>
              </Suspense>
            </Layout>
          </SessionContext.Provider>
        )}
      </BrowserRouter>
    </MantineProvider>
  );
}
