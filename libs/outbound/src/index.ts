/**
 * What a service needs to call addresses users give it (webhook receivers, upstream
 * registries) safely: the address policy that refuses internal addresses, resolution pinned
 * to the checked address, and the box that seals the secrets it must keep to call them.
 */
export * from './address-policy';
export * from './resolve-target';
export * from './secret-box';
