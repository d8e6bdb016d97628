/**
 * Cache rules: which repositories of this registry are a pull-through cache of which
 * upstream. A rule is checked before it is kept: its credential set exists, and its target
 * overlaps no other rule's (a repository has one upstream at most). Rules are this region's,
 * like the credential sets they name: the region a client pulls from fetches and stores.
 *
 * The gateway streams the bytes; this service answers it which upstream a repository maps to
 * (`resolve`, the credentials opened) and stores what a pull fetched (`store`) as an import
 * job: an ordinary push, with events, replication, scanning and webhooks.
 */
import { Injectable } from '@nestjs/common';
import {
  type CacheResolution,
  type CacheRuleInput,
  type CacheRuleView,
  RegistryError,
  parseCacheSource,
  parseTagTtl,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { CredentialSetsService } from '../imports/credential-sets.service';
import { ImportsService } from '../imports/imports.service';
import { overlappingRule, ruleFor } from './cache-rule-checks';
import { CacheRulesRepository } from './cache-rules.repository';

@Injectable()
export class CacheRulesService {
  constructor(
    private readonly rules: CacheRulesRepository,
    private readonly credentialSets: CredentialSetsService,
    private readonly imports: ImportsService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async put(
    name: string,
    rule: CacheRuleInput,
  ): Promise<{ created: boolean; cacheRule: CacheRuleView }> {
    if (rule.credentialSet !== undefined && !(await this.credentialSets.open(rule.credentialSet)))
      throw new RegistryError('REQUEST_INVALID', 'no such credential set', {
        credentialSet: rule.credentialSet,
      });
    const overlapping = overlappingRule(await this.rules.list(), name, rule.target);
    if (overlapping)
      throw new RegistryError(
        'REQUEST_INVALID',
        `target ${rule.target} overlaps the target ${overlapping.target} of cache rule ${overlapping.name}`,
        { rule: overlapping.name, target: overlapping.target },
      );
    const created = await this.rules.put(name, {
      source: rule.source,
      target: rule.target,
      ...(rule.credentialSet === undefined ? {} : { credentialSet: rule.credentialSet }),
      tagTtl: rule.tagTtl,
      tagTtlSeconds: parseTagTtl(rule.tagTtl)!,
    });
    this.logger.info(
      { name, source: rule.source, target: rule.target, created },
      'cache rule saved',
    );
    return { created, cacheRule: await this.get(name) };
  }

  async get(name: string): Promise<CacheRuleView> {
    const rule = await this.rules.get(name);
    if (!rule) throw unknownRule(name);
    return rule;
  }

  async list(): Promise<{ cacheRules: CacheRuleView[] }> {
    return { cacheRules: await this.rules.list() };
  }

  async delete(name: string): Promise<void> {
    if (!(await this.rules.delete(name))) throw unknownRule(name);
    this.logger.info({ name }, 'cache rule deleted');
  }

  async resolve(repository: string): Promise<CacheResolution> {
    const found = ruleFor(await this.rules.list(), repository);
    if (!found)
      throw new RegistryError('NAME_UNKNOWN', 'no cache rule covers the repository', {
        repository,
      });
    const { rule, upstreamRepository } = found;
    const credentials =
      rule.credentialSet === undefined
        ? undefined
        : await this.credentialSets.open(rule.credentialSet);
    if (rule.credentialSet !== undefined && credentials === undefined)
      throw new RegistryError(
        'RESOURCE_UNKNOWN',
        `the credential set ${rule.credentialSet} of cache rule ${rule.name} was deleted`,
        { rule: rule.name, credentialSet: rule.credentialSet },
      );
    return {
      rule,
      registry: parseCacheSource(rule.source)!.registry,
      repository: upstreamRepository,
      ...(credentials ? { credentials } : {}),
    };
  }

  /** An import of what a pull fetched: the upstream's `digest` into `repository` (`:tag`). */
  async store(
    request: { repository: string; digest: string; tag?: string; delayMs: number },
    context: RpcContext,
  ): Promise<{ id: string }> {
    const { rule, registry, repository } = await this.resolve(request.repository);
    const { id } = await this.imports.start(
      {
        source: `${registry}/${repository}@${request.digest}`,
        target:
          request.tag === undefined ? request.repository : `${request.repository}:${request.tag}`,
        ...(rule.credentialSet === undefined ? {} : { credentialSet: rule.credentialSet }),
        // the upstream is the cache's truth: a tag it moved moves here too
        force: true,
        allPlatforms: true,
        platform: 'linux/amd64',
      },
      context,
      request.delayMs,
    );
    this.logger.info(
      { id, rule: rule.name, repository: request.repository, digest: request.digest },
      'cached image queued for storing',
    );
    return { id };
  }
}

function unknownRule(name: string): RegistryError {
  return new RegistryError('RESOURCE_UNKNOWN', 'no such cache rule', { name });
}
