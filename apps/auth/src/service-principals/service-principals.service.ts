/**
 * Service principals: an id and a secret (returned once, at creation and at each reset),
 * holding roles on the registry. Deleting one, or resetting its secret, revokes its refresh
 * tokens; access tokens already issued live out their short lifetime.
 */
import { Injectable } from '@nestjs/common';
import type { RoleName, ServicePrincipalView } from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { revokeRefreshTokens } from '../access-tokens/refresh-tokens';
import type { ServicePrincipalRecord } from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';
import { assertLoginNameFree, unknown } from '../records/name-checks';
import { SecretHasher } from '../secrets/secret-hasher';

export interface ServicePrincipalPut {
  id: string;
  description?: string;
  roles?: RoleName[];
}

@Injectable()
export class ServicePrincipalsService {
  constructor(
    private readonly records: AuthRecordsRepository,
    private readonly hasher: SecretHasher,
  ) {}

  async get(id: string): Promise<ServicePrincipalView> {
    const principal = await this.records.get('service-principal', id);
    if (!principal) throw unknown('service principal', id);
    return viewOf(principal);
  }

  async list(): Promise<ServicePrincipalView[]> {
    return (await this.records.list('service-principal')).map(viewOf);
  }

  /** Creates it with a new secret, or updates its description and roles. */
  async put(
    request: ServicePrincipalPut,
    origin: EventOrigin,
  ): Promise<{ servicePrincipal: ServicePrincipalView; created: boolean; secret?: string }> {
    return this.records.transaction(async (tx) => {
      const now = new Date().toISOString();
      const existing = await tx.get('service-principal', request.id);
      if (existing) {
        const updated: ServicePrincipalRecord = {
          ...existing,
          ...(request.description !== undefined ? { description: request.description } : {}),
          ...(request.roles ? { roles: distinct(request.roles) } : {}),
          updatedAt: now,
        };
        await tx.write('service-principal', request.id, updated, origin);
        return { servicePrincipal: viewOf(updated), created: false };
      }
      await assertLoginNameFree(tx, request.id, 'token');
      const secret = this.hasher.generate();
      const created: ServicePrincipalRecord = {
        id: request.id,
        ...(request.description !== undefined ? { description: request.description } : {}),
        secretHash: await this.hasher.hash(secret),
        roles: distinct(request.roles ?? []),
        createdAt: now,
        updatedAt: now,
      };
      await tx.write('service-principal', request.id, created, origin);
      return { servicePrincipal: viewOf(created), created: true, secret };
    });
  }

  async delete(id: string, origin: EventOrigin): Promise<void> {
    await this.records.transaction(async (tx) => {
      if (!(await tx.get('service-principal', id))) throw unknown('service principal', id);
      await tx.write('service-principal', id, null, origin);
      await revokeRefreshTokens(tx, 'service-principal', id, origin);
    });
  }

  async resetSecret(id: string, origin: EventOrigin): Promise<{ id: string; secret: string }> {
    return this.records.transaction(async (tx) => {
      const principal = await tx.get('service-principal', id);
      if (!principal) throw unknown('service principal', id);
      const secret = this.hasher.generate();
      await tx.write(
        'service-principal',
        id,
        {
          ...principal,
          secretHash: await this.hasher.hash(secret),
          updatedAt: new Date().toISOString(),
        },
        origin,
      );
      await revokeRefreshTokens(tx, 'service-principal', id, origin);
      return { id, secret };
    });
  }

  assign(id: string, role: RoleName, origin: EventOrigin): Promise<ServicePrincipalView> {
    return this.changeRoles(id, origin, (roles) => distinct([...roles, role]));
  }

  unassign(id: string, role: RoleName, origin: EventOrigin): Promise<ServicePrincipalView> {
    return this.changeRoles(id, origin, (roles) => roles.filter((held) => held !== role));
  }

  private changeRoles(
    id: string,
    origin: EventOrigin,
    change: (roles: RoleName[]) => RoleName[],
  ): Promise<ServicePrincipalView> {
    return this.records.transaction(async (tx) => {
      const principal = await tx.get('service-principal', id);
      if (!principal) throw unknown('service principal', id);
      const updated = {
        ...principal,
        roles: change(principal.roles),
        updatedAt: new Date().toISOString(),
      };
      await tx.write('service-principal', id, updated, origin);
      return viewOf(updated);
    });
  }
}

function distinct(roles: RoleName[]): RoleName[] {
  return [...new Set(roles)];
}

function viewOf(principal: ServicePrincipalRecord): ServicePrincipalView {
  return {
    id: principal.id,
    ...(principal.description !== undefined ? { description: principal.description } : {}),
    roles: principal.roles,
    createdAt: principal.createdAt,
    updatedAt: principal.updatedAt,
  };
}
