/** Thrown by a version order for a version it cannot read; matching turns it into a ScanError. */
export class InvalidVersionError extends Error {}
