/** The parts of the configuration the scan rules read, injected on their own. */
import type { Severity } from '@meridian/contracts';

export const scanSettingsToken = Symbol('ScanSettings');

export interface ScanSettings {
  region: string;
  /**
   * scanning is on when the operator named an advisory database (MERIDIAN_ADVISORY_DB);
   * without one the service scans nothing and only answers for reports it has
   */
  enabled: boolean;
  /** a quarantined image with a finding at or above this fails its scan */
  quarantineSeverity: Severity;
}
