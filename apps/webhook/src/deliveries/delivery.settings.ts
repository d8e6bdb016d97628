/** How deliveries are made, from the configuration (see config.ts), injected where needed. */
import type { DeliverySettings } from '../config';

export const deliverySettingsToken = Symbol('DeliverySettings');
export type { DeliverySettings };
