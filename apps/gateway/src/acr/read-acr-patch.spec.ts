import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { readAcrPatch, validAttributes, validQuarantineDecision } from './read-acr-patch';
import type { AcrRoute } from './parse-acr-path';

const digest = `sha256:${'a'.repeat(64)}`;
const manifest: AcrRoute = { kind: 'manifest', name: 'team/app', digest };
const tag: AcrRoute = { kind: 'tag', name: 'team/app', tag: 'v1' };

function requestWith(body: string): FastifyRequest {
  return { raw: Readable.from([Buffer.from(body)]) } as unknown as FastifyRequest;
}

describe(readAcrPatch.name, () => {
  it("takes a manifest's quarantine fields as a quarantine decision", async () => {
    const body = '{"quarantineState":"Passed"}';
    expect(await readAcrPatch(requestWith(body), manifest)).toEqual({
      kind: 'quarantine',
      body: { quarantineState: 'Passed' },
    });
  });

  it('takes anything else as changeable attributes, quarantine fields on a tag included', async () => {
    expect(await readAcrPatch(requestWith('{"writeEnabled":false}'), manifest)).toMatchObject({
      kind: 'attributes',
    });
    expect(await readAcrPatch(requestWith('{"quarantineState":"Passed"}'), tag)).toMatchObject({
      kind: 'attributes',
    });
    expect(await readAcrPatch(requestWith(''), tag)).toEqual({ kind: 'attributes', body: {} });
  });

  it('refuses a body that is not JSON', async () => {
    await expect(readAcrPatch(requestWith('{writeEnabled'), tag)).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
    });
  });
});

describe(validAttributes.name, () => {
  it('takes some attributes', () => {
    expect(validAttributes({ writeEnabled: false, listEnabled: true })).toEqual({
      writeEnabled: false,
      listEnabled: true,
    });
  });

  it.each([
    ['no attribute', {}],
    ['an unknown attribute', { writeEnabled: false, frozen: true }],
    ['a string for a boolean', { readEnabled: 'false' }],
    ['null', null],
    ['an array', [{ writeEnabled: false }]],
    ['teleportEnabled', { teleportEnabled: true }],
  ])('refuses %s', (_what, body) => {
    expect(() => validAttributes(body)).toThrow(
      expect.objectContaining({ code: 'REQUEST_INVALID' }),
    );
  });
});

describe(validQuarantineDecision.name, () => {
  it('takes a decision, and nothing beside it', () => {
    expect(
      validQuarantineDecision({ quarantineState: 'Failed', quarantineDetails: 'cve' }),
    ).toEqual({ quarantineState: 'Failed', quarantineDetails: 'cve' });
    for (const body of [
      { quarantineState: 'Maybe' },
      { quarantineState: 'Passed', writeEnabled: false },
    ]) {
      expect(() => validQuarantineDecision(body)).toThrow(
        expect.objectContaining({ code: 'REQUEST_INVALID' }),
      );
    }
  });
});
