/**
 * What a service needs to call addresses users give it (webhook receivers, upstream
 * registries) safely: the address policy that refuses internal addresses, resolution pinned
 * to the checked address, the box that seals the secrets it must keep to call them, and the
 * client of other registries' `/v2` API that imports and the pull-through cache fetch with.
 */
export * from './address-policy';
export * from './resolve-target';
export * from './secret-box';
export * from './import-failure';
export * from './parse-auth-challenge';
export * from './upstream-registry';
