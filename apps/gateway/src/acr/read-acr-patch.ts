/**
 * What an ACR PATCH asks (`/acr/v1/{name}`, `…/_tags/{tag}`, `…/_manifests/{digest}`): a JSON
 * object setting some changeable attributes (ChangeableAttributesPatch: booleans, at least
 * one, no other field), or, on a manifest only, ACR's external-scanner decision
 * (`quarantineState`, `quarantineDetails`), which is not mixed with attributes. Anything else
 * (an unknown field, a value that is not a boolean, an empty body, a body that is not JSON) is
 * 400 REQUEST_INVALID, answered before anything is looked up or changed.
 *
 * `teleportEnabled`, which ACR takes on a repository, is refused rather than accepted and
 * ignored: Meridian has no teleport (ACR's streamed layers), and a 200 would tell the caller
 * it was set.
 */
import { ChangeableAttributesPatch, RegistryError } from '@meridian/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { readJsonBody, validInput } from '../management/read-json-input';
import type { AcrRoute } from './parse-acr-path';

export const QuarantineDecision = z
  .object({
    quarantineState: z.enum(['Passed', 'Failed']),
    quarantineDetails: z.string().max(4096).optional(),
  })
  .strict();
export type QuarantineDecision = z.infer<typeof QuarantineDecision>;

/** Which PATCH a body is; validated once its caller is authorized for that kind. */
export interface AcrPatch {
  kind: 'attributes' | 'quarantine';
  body: unknown;
}

const quarantineFields = ['quarantineState', 'quarantineDetails'];

/** Reads the body (a body that is not JSON is refused here) and tells which PATCH it is. */
export async function readAcrPatch(request: FastifyRequest, route: AcrRoute): Promise<AcrPatch> {
  const body = await readJsonBody(request.raw);
  const fields = isObject(body) ? Object.keys(body) : [];
  const quarantine =
    route.kind === 'manifest' && fields.some((field) => quarantineFields.includes(field));
  return { kind: quarantine ? 'quarantine' : 'attributes', body };
}

export function validAttributes(body: unknown): ChangeableAttributesPatch {
  if (isObject(body) && 'teleportEnabled' in body) {
    throw new RegistryError('REQUEST_INVALID', 'teleportEnabled is not supported by Meridian', {
      invalid: [{ field: 'teleportEnabled', problem: 'not supported' }],
    });
  }
  return validInput(ChangeableAttributesPatch, body);
}

export function validQuarantineDecision(body: unknown): QuarantineDecision {
  return validInput(QuarantineDecision, body);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
