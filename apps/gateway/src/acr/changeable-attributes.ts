/**
 * The changeable attributes ACR reports on a repository, tag or manifest. Every one is
 * `true` until locks exist; this is the one place that answers them, so that locks fill it
 * in for every route at once, and the one place listings ask whether an item is listed.
 */
export interface ChangeableAttributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

const unlocked: ChangeableAttributes = {
  deleteEnabled: true,
  writeEnabled: true,
  readEnabled: true,
  listEnabled: true,
};

/** The attributes of a repository, or of a tag or manifest in it. */
export function changeableAttributes(_item: {
  repository: string;
  tag?: string;
  digest?: string;
}): ChangeableAttributes {
  return { ...unlocked };
}

/** `listEnabled=false` hides an item from listings, never from a read by name. */
export function isListed(attributes: ChangeableAttributes): boolean {
  return attributes.listEnabled;
}
