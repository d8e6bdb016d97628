import { type PackageInventory } from '../packages/package';
import { buildCycloneDxSbom } from './build-cyclonedx-sbom';

const digest = 'sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b';

describe(buildCycloneDxSbom.name, () => {
  it('describes the image, its OS and every package by purl, in CycloneDX 1.5', () => {
    const inventory: PackageInventory = {
      os: { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' },
      packages: [
        {
          type: 'apk',
          ecosystem: 'Alpine:v3.19',
          name: 'libcrypto3',
          version: '3.1.4-r5',
          sourceName: 'openssl',
          sourceVersion: '3.1.4-r5',
          licenses: ['Apache-2.0'],
          purl: 'pkg:apk/alpine/libcrypto3@3.1.4-r5',
          location: 'lib/apk/db/installed',
        },
        {
          type: 'npm',
          ecosystem: 'npm',
          name: 'lodash',
          version: '4.17.20',
          purl: 'pkg:npm/lodash@4.17.20',
          location: 'app/package-lock.json',
        },
        {
          type: 'npm',
          ecosystem: 'npm',
          name: 'lodash',
          version: '4.17.20',
          purl: 'pkg:npm/lodash@4.17.20',
          location: 'other/package-lock.json',
        },
      ],
      errors: [],
    };
    const sut = buildCycloneDxSbom({ repository: 'team/app', digest, tag: 'v1' }, inventory, {
      timestamp: new Date('2026-11-23T12:00:00Z'),
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    });
    expect(sut).toEqual({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      version: 1,
      metadata: {
        timestamp: '2026-11-23T12:00:00.000Z',
        tools: { components: [{ type: 'application', name: 'meridian-scan' }] },
        component: {
          type: 'container',
          'bom-ref': digest,
          name: 'team/app',
          version: digest,
          purl: `pkg:oci/app@sha256%3A${digest.slice(7)}?repository_url=team%2Fapp&tag=v1`,
        },
      },
      components: [
        {
          type: 'operating-system',
          'bom-ref': 'os:alpine',
          name: 'alpine',
          version: '3.19.1',
          description: 'Alpine Linux v3.19',
        },
        {
          type: 'library',
          'bom-ref': 'pkg:apk/alpine/libcrypto3@3.1.4-r5',
          name: 'libcrypto3',
          version: '3.1.4-r5',
          purl: 'pkg:apk/alpine/libcrypto3@3.1.4-r5',
          licenses: [{ license: { name: 'Apache-2.0' } }],
          properties: [
            { name: 'meridian:ecosystem', value: 'Alpine:v3.19' },
            { name: 'meridian:location', value: 'lib/apk/db/installed' },
            { name: 'meridian:source-package', value: 'openssl 3.1.4-r5' },
          ],
        },
        expect.objectContaining({ 'bom-ref': 'pkg:npm/lodash@4.17.20' }),
        expect.objectContaining({ 'bom-ref': 'pkg:npm/lodash@4.17.20#2' }),
      ],
    });
  });

  it('gives each document its own serial number and a current timestamp by default', () => {
    const first = buildCycloneDxSbom({ repository: 'a', digest }, { packages: [], errors: [] });
    const second = buildCycloneDxSbom({ repository: 'a', digest }, { packages: [], errors: [] });
    expect(first.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(first.serialNumber).not.toBe(second.serialNumber);
    expect(first.components).toEqual([]);
  });
});
