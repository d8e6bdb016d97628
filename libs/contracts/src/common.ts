import { Digest, RepositoryName } from '@meridian/oci';
import { z } from 'zod';

/** An OCI content descriptor, as listed by the referrers API. */
export const Descriptor = z.object({
  mediaType: z.string(),
  digest: Digest,
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

/** Who made a request and how: carried from the gateway into events (webhook payloads use it). */
export const RequestInfo = z.object({
  id: z.string(),
  host: z.string().optional(),
  method: z.string().optional(),
  useragent: z.string().optional(),
  addr: z.string().optional(),
});
export type RequestInfo = z.infer<typeof RequestInfo>;

export const Actor = z.object({ name: z.string() });
export type Actor = z.infer<typeof Actor>;

/** Paging for tag lists and the catalog (`n`, `last`). */
export const Page = z.object({
  n: z.number().int().positive().max(10_000).optional(),
  last: z.string().optional(),
});

export { Digest, RepositoryName };
