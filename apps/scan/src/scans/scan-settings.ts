/** The parts of the configuration the scan rules read, injected on their own. */
import type { Severity } from '@meridian/contracts';

export const scanSettingsToken = Symbol('ScanSettings');

export interface ScanSettings {
  region: string;
  /** a quarantined image with a finding at or above this fails its scan */
  quarantineSeverity: Severity;
}
