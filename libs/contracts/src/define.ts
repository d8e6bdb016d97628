/**
 * RPC and event definitions: a name, a zod schema per message. The messaging lib builds
 * subjects from these and validates every message on send and on receipt.
 */
import type { z } from 'zod';
import { eventSubject, rpcSubject } from './subjects';

export interface RpcDefinition<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  readonly service: string;
  readonly verb: string;
  readonly version: number;
  readonly request: Req;
  readonly response: Res;
  subject(region: string): string;
}

export type RpcRequest<D> = D extends RpcDefinition<infer Req, z.ZodType> ? z.infer<Req> : never;
export type RpcResponse<D> = D extends RpcDefinition<z.ZodType, infer Res> ? z.infer<Res> : never;

export function defineRpc<Req extends z.ZodType, Res extends z.ZodType>(def: {
  service: string;
  verb: string;
  version?: number;
  request: Req;
  response: Res;
}): RpcDefinition<Req, Res> {
  const version = def.version ?? 1;
  return {
    ...def,
    version,
    subject: (region: string) => rpcSubject(region, def.service, def.verb, version),
  };
}

export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** `<resource>.<past-tense-verb>.v<n>` */
  readonly name: string;
  readonly schema: S;
  subject(region: string): string;
}

export type EventPayload<D> = D extends EventDefinition<infer S> ? z.infer<S> : never;

export function defineEvent<S extends z.ZodType>(def: {
  name: string;
  schema: S;
}): EventDefinition<S> {
  if (!/^[a-z]+(?:-[a-z]+)*\.[a-z]+(?:-[a-z]+)*\.v\d+$/.test(def.name)) {
    throw new Error(`event name ${def.name} is not <resource>.<verb>.v<n>`);
  }
  return { ...def, subject: (region: string) => eventSubject(region, def.name) };
}
