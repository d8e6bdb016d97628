/**
 * RPC and event definitions: a name, a zod schema per message. The messaging lib builds
 * subjects from these and validates every message on send and on receipt. Every RPC
 * defined is known by its pattern (`rpcDefinitionOf`), so the service answering it finds
 * the schemas of a handler from the pattern the handler declares.
 */
import type { z } from 'zod';
import { eventSubject, rpcPattern, rpcSubject } from './subjects';

export interface RpcDefinition<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  readonly service: string;
  readonly verb: string;
  readonly version: number;
  readonly request: Req;
  readonly response: Res;
  /** `<service>.<verb>.v<n>`: what its handler's `@MessagePattern` names */
  readonly pattern: string;
  subject(region: string): string;
}

const rpcsByPattern = new Map<string, RpcDefinition>();

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
  const pattern = rpcPattern(def.service, def.verb, version);
  if (rpcsByPattern.has(pattern)) throw new Error(`rpc ${pattern} is defined twice`);
  const rpc: RpcDefinition<Req, Res> = {
    ...def,
    version,
    pattern,
    subject: (region: string) => rpcSubject(region, def.service, def.verb, version),
  };
  rpcsByPattern.set(pattern, rpc);
  return rpc;
}

/** The RPC defined for `pattern` (`manifest.get.v1`), if any. */
export function rpcDefinitionOf(pattern: string): RpcDefinition | undefined {
  return rpcsByPattern.get(pattern);
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
