/** A manifest's bytes as libs/oci parses them, its grammar errors as registry errors. */
import { RegistryError } from '@meridian/contracts';
import { type ParsedManifest, isOciValidationError, parseManifest } from '@meridian/oci';

export function parseManifestBody(
  body: Uint8Array,
  contentType: string | undefined,
): ParsedManifest {
  try {
    return parseManifest(body, contentType);
  } catch (err) {
    if (isOciValidationError(err)) throw new RegistryError(err.code, err.message, err.detail);
    throw err;
  }
}
