/**
 * Scope maps: repository names or patterns (`team-a/*`) with the actions a token bound to
 * the map may take on them. A scope map in use by a token cannot be deleted.
 */
import { Injectable } from '@nestjs/common';
import { RegistryError, type ScopeMapRule, type ScopeMapView } from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import type { ScopeMapRecord } from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';
import { unknown } from '../records/name-checks';

export interface ScopeMapPut {
  name: string;
  description?: string;
  rules: ScopeMapRule[];
}

@Injectable()
export class ScopeMapsService {
  constructor(private readonly records: AuthRecordsRepository) {}

  async get(name: string): Promise<ScopeMapView> {
    const scopeMap = await this.records.get('scope-map', name);
    if (!scopeMap) throw unknown('scope map', name);
    return scopeMap;
  }

  list(): Promise<ScopeMapView[]> {
    return this.records.list('scope-map');
  }

  async put(
    request: ScopeMapPut,
    origin: EventOrigin,
  ): Promise<{ scopeMap: ScopeMapView; created: boolean }> {
    return this.records.transaction(async (tx) => {
      const existing = await tx.get('scope-map', request.name);
      const now = new Date().toISOString();
      const scopeMap: ScopeMapRecord = {
        name: request.name,
        ...(request.description !== undefined
          ? { description: request.description }
          : existing?.description !== undefined
            ? { description: existing.description }
            : {}),
        rules: mergeRules(request.rules),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await tx.write('scope-map', request.name, scopeMap, origin);
      return { scopeMap, created: existing === undefined };
    });
  }

  async delete(name: string, origin: EventOrigin): Promise<void> {
    await this.records.transaction(async (tx) => {
      if (!(await tx.get('scope-map', name))) throw unknown('scope map', name);
      const users = (await tx.list('token')).filter((token) => token.scopeMap === name);
      if (users.length > 0) {
        throw new RegistryError('DENIED', `scope map ${name} is used by tokens`, {
          tokens: users.map((token) => token.name),
        });
      }
      await tx.write('scope-map', name, null, origin);
    });
  }
}

/** One rule per repository pattern, its actions merged, in the order first given. */
function mergeRules(rules: readonly ScopeMapRule[]): ScopeMapRule[] {
  const merged = new Map<string, Set<ScopeMapRule['actions'][number]>>();
  for (const rule of rules) {
    const actions = merged.get(rule.repository) ?? new Set();
    for (const action of rule.actions) actions.add(action);
    merged.set(rule.repository, actions);
  }
  return [...merged].map(([repository, actions]) => ({ repository, actions: [...actions] }));
}
