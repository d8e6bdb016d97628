/**
 * The end-to-end tests run Meridian as `npm start` does: the launcher and the services
 * compiled, from dist/. e2e/build-meridian.js builds them before the first test (`nx run
 * dev:build`: Nx rebuilds whatever changed since the last build), so a test never runs a
 * dist/ older than the sources.
 */
import { join } from 'node:path';

/** node's arguments that run the launcher, from the repository root */
export const launcherArgs: readonly string[] = [join('dist', 'apps', 'dev', 'src', 'main.js')];

/** what the launcher runs `service` as (relative to the repository root, its working directory) */
export function serviceEntryPoint(service: string): string {
  return join('dist', 'apps', service, 'src', 'main.js');
}
