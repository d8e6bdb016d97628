/**
 * The identity management API (`/api/v1/…`), as the app module registers it: each
 * controller validates its input and passes it to the auth service's management RPCs,
 * with the caller the management guard authenticated as the actor.
 */
import type { Type } from '@nestjs/common';
import { AdminAccountController } from './admin-account.controller';
import { AuthSettingsController } from './auth-settings.controller';
import { RepositoryTokensController } from './repository-tokens.controller';
import { ScopeMapsController } from './scope-maps.controller';
import { ServicePrincipalsController } from './service-principals.controller';

export const managementControllers: Array<Type<unknown>> = [
  AdminAccountController,
  ServicePrincipalsController,
  ScopeMapsController,
  RepositoryTokensController,
  AuthSettingsController,
];
