import type { RpcDefinition } from '@meridian/contracts';
import type { RpcClient } from '@meridian/messaging';
import { type DistributionRoute, sha256Digest } from '@meridian/oci';
import { createLogger } from '@meridian/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PullThrough } from '../pull-through/pull-through.service';
import type { CatchUp } from '../replication/catch-up.service';
import { ManifestBodyCache } from './manifest-body.cache';
import { ManifestRoutes } from './manifests.routes';
import { PullAnnouncer, type PullPublisher } from './pull-announcer';

const body = Buffer.from('{"schemaVersion":2,"layers":[]}');
const digest = sha256Digest(body);
const mediaType = 'application/vnd.oci.image.manifest.v1+json';
const route: Extract<DistributionRoute, { kind: 'manifest' }> = {
  kind: 'manifest',
  name: 'team/app',
  reference: 'v1',
  referenceKind: 'tag',
};

/** The manifest service's answer to `manifest.get`, always the one manifest. */
const manifestService = {
  async request(_def: RpcDefinition, request: { includeBody: boolean }) {
    return {
      digest,
      mediaType,
      size: body.length,
      ...(request.includeBody ? { body: body.toString('base64') } : {}),
    };
  },
} as unknown as RpcClient;

/** Records what happens in order: the response written, the pull announced. */
class Timeline implements PullPublisher {
  readonly region = 'us-east';
  readonly steps: string[] = [];
  broken = false;

  publishWithoutAck(): void {
    if (this.broken) throw new Error('connection closed');
    this.steps.push('announced');
  }

  async pullStreamExists(): Promise<boolean> {
    return true;
  }

  reply(): { reply: FastifyReply; answer: { status?: number; body?: Buffer } } {
    const answer: { status?: number; body?: Buffer } = {};
    const raw = {
      writeHead: (status: number) => (answer.status = status),
      end: (sent?: Buffer) => {
        answer.body = sent;
        this.steps.push('answered');
      },
    };
    return { reply: { hijack: () => undefined, raw } as unknown as FastifyReply, answer };
  }
}

function request(method: 'GET' | 'HEAD'): FastifyRequest {
  return { method, id: 'req-1', ip: '127.0.0.1', headers: { host: 'registry' } } as FastifyRequest;
}

function routes(timeline: Timeline): ManifestRoutes {
  const logger = createLogger({ service: 'gateway-test', region: 'us-east', level: 'silent' });
  return new ManifestRoutes(
    manifestService,
    new ManifestBodyCache(1024 * 1024),
    {} as CatchUp,
    new PullAnnouncer(timeline, logger),
    // a repository no cache rule covers: nothing to check upstream
    { recheckTag: async () => undefined } as unknown as PullThrough,
  );
}

describe('ManifestRoutes GET and the pull announcement', () => {
  it('announces a GET after its answer is written', async () => {
    const timeline = new Timeline();
    const { reply, answer } = timeline.reply();

    await routes(timeline).handle(route, request('GET'), reply);

    expect(answer.status).toBe(200);
    expect(timeline.steps).toEqual(['answered', 'announced']);
  });

  it('does not announce a HEAD', async () => {
    const timeline = new Timeline();
    const { reply, answer } = timeline.reply();

    await routes(timeline).handle(route, request('HEAD'), reply);

    expect(answer.status).toBe(200);
    expect(timeline.steps).toEqual(['answered']);
  });

  it('serves the manifest when the publish fails', async () => {
    const timeline = new Timeline();
    timeline.broken = true;
    const { reply, answer } = timeline.reply();

    await routes(timeline).handle(route, request('GET'), reply);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(body);
  });
});
