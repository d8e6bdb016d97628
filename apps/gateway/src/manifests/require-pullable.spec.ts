import type { Identity } from '@meridian/contracts';
import { requirePullable } from './require-pullable';

const digest = `sha256:${'a'.repeat(64)}`;
const puller: Identity = { kind: 'service-principal', name: 'ci', roles: ['AcrPull'] } as Identity;
const reader: Identity = {
  kind: 'service-principal',
  name: 'scanner',
  roles: ['AcrPull', 'AcrQuarantineReader'],
} as Identity;

describe(requirePullable.name, () => {
  it.each(['quarantined', 'failed'] as const)(
    'hides a %s image by tag and refuses it by digest to a plain puller',
    (quarantine) => {
      expect(() => requirePullable({ digest, quarantine }, 'tag', puller)).toThrow(
        expect.objectContaining({ code: 'MANIFEST_UNKNOWN' }),
      );
      expect(() => requirePullable({ digest, quarantine }, 'digest', puller)).toThrow(
        expect.objectContaining({ code: 'DENIED' }),
      );
      expect(() => requirePullable({ digest, quarantine }, 'digest', undefined)).toThrow(
        expect.objectContaining({ code: 'DENIED' }),
      );
    },
  );

  it('serves quarantined images to quarantine readers', () => {
    expect(() => requirePullable({ digest, quarantine: 'failed' }, 'tag', reader)).not.toThrow();
  });

  it('serves passed images and images never quarantined to everyone', () => {
    expect(() => requirePullable({ digest, quarantine: 'passed' }, 'tag', puller)).not.toThrow();
    expect(() => requirePullable({ digest }, 'digest', undefined)).not.toThrow();
  });
});
