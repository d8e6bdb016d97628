/**
 * ACR's quarantine at pull time: a manifest that is quarantined (not yet decided) or failed
 * its scan is served only to quarantine readers. To everyone else it does not exist by tag
 * (404 MANIFEST_UNKNOWN, so `latest` never resolves to it) and is refused by digest
 * (403 DENIED). The state comes with every manifest lookup, cached body or not.
 */
import { type Identity, RegistryError } from '@meridian/contracts';

const quarantineReaderRoles: readonly string[] = ['AcrQuarantineReader', 'AcrQuarantineWriter'];

export function requirePullable(
  found: { digest: string; quarantine?: 'quarantined' | 'passed' | 'failed' },
  referenceKind: 'tag' | 'digest',
  caller: Identity | undefined,
): void {
  if (found.quarantine !== 'quarantined' && found.quarantine !== 'failed') return;
  if (caller?.roles.some((role) => quarantineReaderRoles.includes(role))) return;
  if (referenceKind === 'tag') throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown');
  throw new RegistryError(
    'DENIED',
    found.quarantine === 'failed'
      ? 'the image failed its vulnerability scan and is quarantined'
      : 'the image is quarantined until it is scanned',
    { digest: found.digest, quarantineState: found.quarantine },
  );
}
