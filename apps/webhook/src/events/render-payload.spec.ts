import { renderPayload } from './render-payload';
import type { WebhookEvent } from './webhook-event';

const push: WebhookEvent = {
  id: '6f1f3c1e-3a55-4a4f-9d6b-1b0e2c1a9f00',
  timestamp: '2026-11-23T15:00:00.000Z',
  action: 'push',
  region: 'eu-west',
  target: {
    repository: 'team/api',
    digest: 'sha256:' + 'a'.repeat(64),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 528,
    tag: 'v1',
  },
  tags: ['v1'],
  request: { id: 'req-1', host: '127.0.0.1:5000', method: 'PUT', useragent: 'skopeo/1.13' },
};

describe(renderPayload.name, () => {
  it("renders ACR's push payload, plus the region", () => {
    const { contentType, body } = renderPayload(push, 'acr');
    expect(contentType).toBe('application/json');
    expect(JSON.parse(body)).toEqual({
      id: push.id,
      timestamp: push.timestamp,
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 528,
        length: 528,
        digest: push.target!.digest,
        repository: 'team/api',
        tag: 'v1',
      },
      request: { id: 'req-1', host: '127.0.0.1:5000', method: 'PUT', useragent: 'skopeo/1.13' },
      region: 'eu-west',
    });
  });

  it('renders a ping with neither target nor request', () => {
    const ping: WebhookEvent = {
      id: push.id,
      timestamp: push.timestamp,
      action: 'ping',
      region: 'us-east',
      tags: [],
    };
    expect(JSON.parse(renderPayload(ping, 'acr').body)).toEqual({
      id: push.id,
      timestamp: push.timestamp,
      action: 'ping',
      region: 'us-east',
    });
  });

  it("renders a store quota's threshold without a target, in both formats", () => {
    const quota: WebhookEvent = {
      id: push.id,
      timestamp: push.timestamp,
      action: 'quota',
      region: 'us-east',
      tags: [],
      details: {
        quota: { scope: 'registry', threshold: 80, usedBytes: 800, quotaBytes: 1000 },
      },
    };
    expect(JSON.parse(renderPayload(quota, 'acr').body)).toEqual({
      id: push.id,
      timestamp: push.timestamp,
      action: 'quota',
      region: 'us-east',
      quota: { scope: 'registry', threshold: 80, usedBytes: 800, quotaBytes: 1000 },
    });
    const event = JSON.parse(renderPayload(quota, 'cloudevents').body) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'meridian.usage.threshold',
      source: '/meridian/us-east',
      data: { action: 'quota', quota: { threshold: 80 } },
    });
    expect(event).not.toHaveProperty('subject');
  });

  it('renders CloudEvents 1.0 structured JSON with the ACR body as data', () => {
    const { contentType, body } = renderPayload(push, 'cloudevents');
    expect(contentType).toBe('application/cloudevents+json; charset=utf-8');
    const event = JSON.parse(body) as Record<string, unknown>;
    expect(event).toMatchObject({
      specversion: '1.0',
      id: push.id,
      source: '/meridian/eu-west',
      type: 'meridian.image.pushed',
      time: push.timestamp,
      subject: 'team/api:v1',
      datacontenttype: 'application/json',
      data: { action: 'push', region: 'eu-west', target: { repository: 'team/api', tag: 'v1' } },
    });
  });

  it('names an untagged image by digest in the CloudEvents subject', () => {
    const untagged = { ...push, target: { ...push.target!, tag: undefined }, tags: [] };
    const event = JSON.parse(renderPayload(untagged, 'cloudevents').body) as { subject: string };
    expect(event.subject).toBe(`team/api@${push.target!.digest}`);
  });
});
