/**
 * Byte ranges, both directions: the `Content-Range` of an upload chunk (PATCH) and the
 * `Range` of a blob download (GET). Ranges are inclusive at both ends, as on the wire.
 */
import { OciValidationError } from './oci-validation-error';

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

// distribution-spec: `^[0-9]+-[0-9]+$`; clients also send the RFC 9110 response form
// (`bytes 0-99/100`, `bytes 0-99/*`) or the request form (`bytes=0-99`).
const chunkRangePattern = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(\d+|\*))?$/i;

/**
 * The range a chunk claims to cover, from its Content-Range header. Throws RANGE_INVALID
 * for anything else, including an end before the start or beyond a stated total. Whether
 * the chunk starts where the upload stands is the caller's check.
 */
export function parseContentRange(header: string): ByteRange {
  const match = chunkRangePattern.exec(header.trim());
  const start = match === null ? undefined : toSafeInteger(match[1]);
  const end = match === null ? undefined : toSafeInteger(match[2]);
  if (match === null || start === undefined || end === undefined || end < start) {
    throw rangeInvalid(`invalid Content-Range ${JSON.stringify(header)}`, header);
  }
  const total = match[3];
  if (total !== undefined && total !== '*') {
    const size = toSafeInteger(total);
    if (size === undefined || end >= size) {
      throw rangeInvalid(`Content-Range ${JSON.stringify(header)} ends beyond its total`, header);
    }
  }
  return { start, end };
}

/**
 * The part of a blob of `size` bytes a GET asks for with `Range` (RFC 9110 §14):
 * `bytes=a-b`, `bytes=a-`, `bytes=-suffix`, with `b` past the end cut to the end.
 *
 * Returns undefined when the header must be ignored and the whole blob served (200):
 * a range unit other than bytes (RFC 9110 says to ignore it), or a suffix range of an
 * empty blob (satisfiable, yet no inclusive range can name zero bytes).
 *
 * Throws RANGE_INVALID (416) for a malformed header, an unsatisfiable range, and for
 * more than one range: registry clients never ask for several, and answering with
 * the whole blob or with fewer ranges than asked would mislead a client that did.
 */
export function parseRangeHeader(header: string, size: number): ByteRange | undefined {
  const equals = header.indexOf('=');
  if (equals < 0) throw rangeInvalid(`invalid Range ${JSON.stringify(header)}`, header, size);
  if (header.slice(0, equals).trim().toLowerCase() !== 'bytes') return undefined;

  // RFC 9110 lists allow empty elements and optional whitespace around them.
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0)
    throw rangeInvalid(`invalid Range ${JSON.stringify(header)}`, header, size);
  if (specs.length > 1) {
    throw rangeInvalid('multiple ranges are not supported: ask for one range', header, size);
  }
  return resolveRangeSpec(specs[0], header, size);
}

function resolveRangeSpec(spec: string, header: string, size: number): ByteRange | undefined {
  const match = /^(\d*)-(\d*)$/.exec(spec);
  if (match === null || (match[1] === '' && match[2] === '')) {
    throw rangeInvalid(`invalid Range ${JSON.stringify(header)}`, header, size);
  }
  // Digit strings too long for a safe integer are still far beyond any blob, which is
  // all the comparisons below need to know.
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw unsatisfiable(header, size);
    if (size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) {
    throw rangeInvalid(`invalid Range ${JSON.stringify(header)}`, header, size);
  }
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

function toSafeInteger(digits: string): number | undefined {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : undefined;
}

function unsatisfiable(header: string, size: number): OciValidationError {
  return rangeInvalid(`Range ${JSON.stringify(header)} is not satisfiable`, header, size);
}

function rangeInvalid(message: string, header: string, size?: number): OciValidationError {
  return new OciValidationError(
    'RANGE_INVALID',
    message,
    size === undefined ? { range: header } : { range: header, size },
  );
}
