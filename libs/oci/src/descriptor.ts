/**
 * Content descriptors (image-spec descriptor.md) as they appear inside manifests and
 * indexes. Fields Meridian does not know are kept out of the parsed value but never
 * make a manifest invalid: the stored bytes are what clients get back.
 */
import { z } from 'zod';
import { digestProblem } from './digest';
import { mediaTypePattern } from './media-types';

export const MediaType = z.string().regex(mediaTypePattern, 'invalid media type');

/** A digest Meridian can verify; the issue says whether it is malformed or unsupported. */
const DescriptorDigest = z.string().superRefine((value, ctx) => {
  const problem = digestProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const Platform = z.object({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});
export type Platform = z.infer<typeof Platform>;

export const Annotations = z.record(z.string(), z.string());

export const OciDescriptor = z.object({
  mediaType: MediaType,
  digest: DescriptorDigest,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  urls: z.array(z.string()).optional(),
  annotations: Annotations.optional(),
  data: z.base64().optional(),
  artifactType: MediaType.optional(),
  platform: Platform.optional(),
});
export type OciDescriptor = z.infer<typeof OciDescriptor>;
