/**
 * The portal: sign-in first, then the pages, each a client route under `/portal` (the
 * gateway answers every such path with index.html). The session lives in this component's
 * state only: a reload or a new tab signs in again (see api/registry-session.ts).
 */
import { MantineProvider } from '@mantine/core';
import { useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import type { RegistrySession } from './api/registry-session';
import { SessionContext } from './api/use-session';
import { Layout } from './components/layout';
import { CacheRulesPage } from './pages/cache-rules.page';
import { IdentitiesPage } from './pages/identities.page';
import { ImagePage } from './pages/image.page';
import { RegionsPage } from './pages/regions.page';
import { RepositoriesPage } from './pages/repositories.page';
import { RepositoryPage } from './pages/repository.page';
import { ScopeMapsPage } from './pages/scope-maps.page';
import { SignInPage } from './pages/sign-in.page';
import { StoragePage } from './pages/storage.page';
import { TokensPage } from './pages/tokens.page';
import { WebhooksPage } from './pages/webhooks.page';

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
            </Layout>
          </SessionContext.Provider>
        )}
      </BrowserRouter>
    </MantineProvider>
  );
}
