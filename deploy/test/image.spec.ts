/**
 * The image the Dockerfile builds, checked without a Docker engine: it runs as a non-root
 * user from a multi-stage build with production dependencies only, runs each service
 * compiled, and its build stage has every source each service loads. The second part
 * follows each deployed service's imports from its main.ts through apps/ and libs/: none
 * may land in a path .dockerignore leaves out, and every npm package it loads must be a
 * production dependency (`npm ci --omit=dev` installs nothing else), nor one the Dockerfile
 * removes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { deployedServices, repositoryRoot } from './meridian-apps';

const dockerfile = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

/** The instructions of the Dockerfile's last stage, the one that runs. */
function runtimeStage(): string[] {
  const lastFrom = instructions.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
  return instructions.slice(lastFrom);
}

/** The instructions of the stage named `name` (`FROM ... AS <name>`). */
function stage(name: string): string[] {
  const start = instructions.findIndex(
    (line) => line.startsWith('FROM ') && line.endsWith(` AS ${name}`),
  );
  const end = instructions.findIndex((line, index) => index > start && line.startsWith('FROM '));
  return start < 0 ? [] : instructions.slice(start, end < 0 ? undefined : end);
}

/** `.dockerignore` patterns as regular expressions over repository-relative paths. */
function ignoredPaths(): RegExp[] {
  return readFileSync(join(repositoryRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => {
      const source = pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*/g, '[^/]*');
      // a pattern naming a directory leaves out everything under it
      return new RegExp(`^${source}(?:/.*)?$`);
    });
}

/** `@meridian/<lib>` → its index.ts, as tsconfig.base.json maps them. */
const aliases = Object.fromEntries(
  Object.entries(
    (
      JSON.parse(readFileSync(join(repositoryRoot, 'tsconfig.base.json'), 'utf8')) as {
        compilerOptions: { paths: Record<string, string[]> };
      }
    ).compilerOptions.paths,
  ).map(([alias, [target]]) => [alias, target as string]),
);

/** The specifiers a source file loads at run time (type-only imports are erased). */
function runtimeSpecifiers(source: string): string[] {
  const withoutTypeImports = source.replace(/^import type [^;]+;/gm, '');
  return [
    ...withoutTypeImports.matchAll(/(?:[\s}]from\s+|^import\s+|\bimport\(|\brequire\()'([^']+)'/gm),
  ].map((match) => match[1] as string);
}

function resolveSource(path: string): string | undefined {
  return [`${path}.ts`, join(path, 'index.ts'), path].find(
    (candidate) => existsSync(candidate) && candidate.endsWith('.ts'),
  );
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Every source file and npm package a service loads, starting from its main.ts. */
function loadedBy(service: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [join(repositoryRoot, 'apps', service, 'src', 'main.ts')];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (isBuiltin(specifier)) continue;
      const alias = aliases[specifier];
      const target = alias
        ? join(repositoryRoot, alias)
        : specifier.startsWith('.')
          ? resolveSource(join(dirname(file), specifier))
          : undefined;
      if (target) pending.push(target);
      else if (specifier.startsWith('.')) throw new Error(`${file}: cannot resolve ${specifier}`);
      else packages.add(packageName(specifier));
    }
  }
  return {
    files: [...files].map((file) => relative(repositoryRoot, file)),
    packages: [...packages],
  };
}

describe('Dockerfile', () => {
  it('builds in stages and runs as a non-root user with production dependencies only', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const runtime = runtimeStage();
    expect(runtime.find((line) => line.startsWith('USER '))).toBe('USER node');
    expect(runtime.some((line) => line.startsWith('COPY --from=dependencies'))).toBe(true);
  });

  it('starts the service its first argument names, compiled', () => {
    const entrypoint = runtimeStage().find((line) => line.startsWith('ENTRYPOINT '));
    expect(entrypoint).toContain('exec node \\"dist/apps/$0/src/main.js\\"');
    // the compiler stays in the build stage: the running image holds no sources
    expect(stage('build').some((line) => line.includes('node tools/build.mjs'))).toBe(true);
    expect(runtimeStage()).toContain('COPY --from=build /app/dist ./dist');
    expect(runtimeStage().filter((line) => /^COPY (apps|libs)\b/.test(line))).toEqual([]);
    expect(Object.keys(packageJson.devDependencies)).toEqual(
      expect.arrayContaining(['@swc/core', '@swc-node/register']),
    );
  });

  it.each(deployedServices())('holds every file and package %s loads', (service) => {
    const { files, packages } = loadedBy(service);
    const ignored = ignoredPaths();
    const removed = [...dockerfile.matchAll(/rm -rf ([^&\n]+)/g)].flatMap((match) =>
      (match[1] as string)
        .trim()
        .split(/\s+/)
        .map((path) => path.replace(/^node_modules\//, '')),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((file) => ignored.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(packages.filter((name) => !(name in packageJson.dependencies))).toEqual([]);
    expect(packages.filter((name) => removed.includes(name))).toEqual([]);
  });
});
