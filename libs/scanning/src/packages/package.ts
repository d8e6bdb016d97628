/**
 * A package found in an image: enough to name it in an SBOM (purl) and to match it against
 * advisories (ecosystem as OSV spells it, name, version; for distro packages also the source
 * package, which is what Debian's and Alpine's advisories name).
 */
import { type ScanError } from '../scan-error';

export type PackageType = 'deb' | 'apk' | 'npm' | 'pypi';

export interface OperatingSystem {
  /** os-release ID: `debian`, `ubuntu`, `alpine`, ... */
  id: string;
  /** os-release VERSION_ID: `12`, `3.19.1`, ... (absent on e.g. Debian sid) */
  versionId?: string;
  prettyName?: string;
}

export interface DetectedPackage {
  type: PackageType;
  /** OSV ecosystem: `Debian:12`, `Ubuntu:22.04`, `Alpine:v3.19`, `npm`, `PyPI` */
  ecosystem: string;
  name: string;
  version: string;
  /** source package (dpkg `Source:`, apk `o:`) and its version, when it differs */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  licenses?: string[];
  purl: string;
  /** the file it was found in (relative path, no leading slash) */
  location: string;
}

export interface PackageInventory {
  os?: OperatingSystem;
  packages: DetectedPackage[];
  errors: ScanError[];
}
