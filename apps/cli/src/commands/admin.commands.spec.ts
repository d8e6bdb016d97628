import type { ScanReport } from '@meridian/contracts';
import { findingsBySeverity } from './admin.commands';

const finding = (id: string, severity: string, name: string) => ({
  id,
  aliases: [],
  severity,
  package: { name, ecosystem: 'Debian', version: '1.0' },
});

describe(findingsBySeverity.name, () => {
  it("lists every platform's findings, most severe first, then by package", () => {
    const report = {
      images: [
        {
          digest: `sha256:${'a'.repeat(64)}`,
          platform: 'linux/amd64',
          packages: 3,
          errors: [],
          findings: [finding('OSV-1', 'LOW', 'zlib'), finding('OSV-2', 'CRITICAL', 'openssl')],
        },
        {
          digest: `sha256:${'b'.repeat(64)}`,
          platform: 'linux/arm64',
          packages: 3,
          errors: [],
          findings: [finding('OSV-3', 'HIGH', 'curl'), finding('OSV-4', 'CRITICAL', 'bash')],
        },
      ],
    } as unknown as ScanReport;
    expect(
      findingsBySeverity(report).map((row) => [row.severity, row.package.name, row.platform]),
    ).toEqual([
      ['CRITICAL', 'bash', 'linux/arm64'],
      ['CRITICAL', 'openssl', 'linux/amd64'],
      ['HIGH', 'curl', 'linux/arm64'],
      ['LOW', 'zlib', 'linux/amd64'],
    ]);
  });
});
