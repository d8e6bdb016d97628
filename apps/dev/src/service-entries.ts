/**
 * How the launcher starts a service's process. `npm start` runs the launcher compiled, from
 * dist/apps/dev, and it starts the services compiled beside it (dist/apps/<svc>/src/main.js:
 * `nx build dev` builds them with it). From its sources (`npm run start:dev`, the tests),
 * it starts their apps/<svc>/src/main.ts through @swc-node/register: a compile per start, and
 * no build that could lag behind an edit. Services run in the repository root either way,
 * where the relative paths of their environment are resolved.
 */
import { dirname, join, relative } from 'node:path';

export interface ServiceEntries {
  /** the services' working directory */
  cwd: string;
  /** the node arguments, after node's own flags, that run `service` */
  args(service: string): string[];
}

/** `apps/<service>/src/main.ts` of `root`, through @swc-node/register, run in `root`. */
export function sourceEntries(root: string): ServiceEntries {
  return {
    cwd: root,
    args: (service) => ['-r', '@swc-node/register', join('apps', service, 'src', 'main.ts')],
  };
}

/** `apps/<service>/src/main.js` of `dist` (tools/build.mjs's output), run in `cwd`. */
export function compiledEntries(dist: string, cwd: string): ServiceEntries {
  return {
    cwd,
    args: (service) => [relative(cwd, join(dist, 'apps', service, 'src', 'main.js'))],
  };
}

/**
 * The services as this launcher runs: compiled when this module is. `root` holds apps/: the
 * repository, or its dist/ folder, whose parent the repository is.
 */
export function serviceEntriesIn(root: string): ServiceEntries {
  return __filename.endsWith('.ts') ? sourceEntries(root) : compiledEntries(root, dirname(root));
}
