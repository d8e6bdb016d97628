/**
 * What went wrong while scanning, kept as data: a bad layer, a hostile tar entry, a malformed
 * package database or an advisory that is not OSV each become one entry in the result, so one
 * bad input never hides what the rest of the image says.
 */
export type ScanErrorScope = 'layer' | 'file' | 'package-database' | 'advisory';

export interface ScanError {
  scope: ScanErrorScope;
  /** the layer digest, the file path inside the image, or the advisory file name */
  subject: string;
  message: string;
  /** for a file: the layer it came from */
  layer?: string;
}

/** One line for logs and `scan.completed.v1` `errors`. */
export function describeScanError(error: ScanError): string {
  const where = error.layer ? `${error.subject} (layer ${error.layer})` : error.subject;
  return `${error.scope} ${where}: ${error.message}`;
}
