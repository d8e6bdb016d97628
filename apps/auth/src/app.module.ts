/**
 * The auth service: identities (admin account, service principals, repository-scoped tokens),
 * roles, scope maps, registry auth settings and signing keys of one region, in the region's
 * Postgres (schema `auth`), answered over NATS RPC. Every change is announced through the
 * outbox as `auth.changed.v1`, which other regions apply with `auth.apply`.
 */
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@meridian/database';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AccessTokensHandler } from './access-tokens/access-tokens.handler';
import { AccessTokensService } from './access-tokens/access-tokens.service';
import { RefreshTokenSweeper } from './access-tokens/refresh-token-sweeper';
import { AdminAccountHandler } from './admin-account/admin-account.handler';
import { AdminAccountService } from './admin-account/admin-account.service';
import { type AuthConfig, authConfigToken } from './config';
import { CredentialsService } from './logins/credentials.service';
import {
  LoginFailuresRepository,
  SqlLoginFailuresRepository,
} from './logins/login-failures.repository';
import { LoginThrottle, throttlePolicyOf, throttlePolicyToken } from './logins/login-throttle';
import { AuthRecordsRepository, SqlAuthRecordsRepository } from './records/auth-records.repository';
import { ApplyAuthChangeHandler } from './replication/apply-auth-change.handler';
import { ApplyAuthChangeService } from './replication/apply-auth-change.service';
import { RepositoryTokensHandler } from './repository-tokens/repository-tokens.handler';
import { RepositoryTokensService } from './repository-tokens/repository-tokens.service';
import { ScopeMapsHandler } from './scope-maps/scope-maps.handler';
import { ScopeMapsService } from './scope-maps/scope-maps.service';
import { SecretHasher } from './secrets/secret-hasher';
import { ServicePrincipalsHandler } from './service-principals/service-principals.handler';
import { ServicePrincipalsService } from './service-principals/service-principals.service';
import { SettingsHandler } from './settings/settings.handler';
import { SettingsService } from './settings/settings.service';
import {
  SigningSecretsRepository,
  SqlSigningSecretsRepository,
} from './signing-keys/signing-secrets.repository';
import { SigningKeysService } from './signing-keys/signing-keys.service';

export const serviceName = 'auth';

export interface AppModuleOptions {
  config: AuthConfig;
  logger: Logger;
}

@Module({})
export class AppModule {
  static forRoot({ config, logger }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceModules({
          service: serviceName,
          config,
          migrationsDirectory: join(__dirname, 'migrations'),
          logger,
        }),
      ],
      providers: [
        { provide: loggerToken, useValue: logger },
        { provide: authConfigToken, useValue: config },
        { provide: throttlePolicyToken, useValue: throttlePolicyOf(config) },
        { provide: AuthRecordsRepository, useClass: SqlAuthRecordsRepository },
        { provide: LoginFailuresRepository, useClass: SqlLoginFailuresRepository },
        { provide: SigningSecretsRepository, useClass: SqlSigningSecretsRepository },
        SecretHasher,
        LoginThrottle,
        CredentialsService,
        SettingsService,
        SigningKeysService,
        AccessTokensService,
        RefreshTokenSweeper,
        AdminAccountService,
        ServicePrincipalsService,
        ScopeMapsService,
        RepositoryTokensService,
        ApplyAuthChangeService,
      ],
      controllers: [
        AccessTokensHandler,
        AdminAccountHandler,
        ServicePrincipalsHandler,
        ScopeMapsHandler,
        RepositoryTokensHandler,
        SettingsHandler,
        ApplyAuthChangeHandler,
      ],
    };
  }
}
