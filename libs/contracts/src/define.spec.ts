import { z } from 'zod';
import { defineRpc, rpcDefinitionOf } from './define';
import { manifestRpc } from './rpc/manifest.rpc';

describe(defineRpc.name, () => {
  it('knows every rpc by the pattern its handler declares', () => {
    expect(manifestRpc.get.pattern).toBe('manifest.get.v1');
    expect(rpcDefinitionOf('manifest.get.v1')).toBe(manifestRpc.get);
    expect(rpcDefinitionOf('manifest.get.v9')).toBeUndefined();
  });

  it('refuses a second definition of the same rpc', () => {
    const twice = () =>
      defineRpc({
        service: 'manifest',
        verb: 'get',
        request: z.object({}),
        response: z.object({}),
      });
    expect(twice).toThrow('rpc manifest.get.v1 is defined twice');
  });
});
