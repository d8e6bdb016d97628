/**
 * Whether text can be kept as Postgres `text` or `jsonb`: no NUL character, and well-formed
 * UTF-16 (a lone surrogate has no UTF-8 form). Every string a client sends that may be
 * stored or compared in the database passes here first, so such input is refused as the
 * client's error instead of failing in a query.
 */
const loneSurrogate = /[\uD800-\uDFFF]/u;

export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !loneSurrogate.test(value);
}
