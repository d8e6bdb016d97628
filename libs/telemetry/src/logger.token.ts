import { Inject } from '@nestjs/common';

/** The service's pino logger, provided by each app's module. */
export const loggerToken = Symbol('Logger');
export const InjectLogger = () => Inject(loggerToken);
