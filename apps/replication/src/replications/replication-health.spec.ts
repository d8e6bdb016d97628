import type { AntiEntropyStatus } from '@meridian/contracts';
import { type RegionHealth, replicationHealth } from './replication-health';

const lagLimitMs = 300_000;

function antiEntropy(overrides: Partial<AntiEntropyStatus> = {}): AntiEntropyStatus {
  return {
    state: 'idle',
    mode: 'backfill',
    repositoriesCompared: 50,
    repositoriesDiffering: 0,
    repaired: 0,
    aheadOfClock: 0,
    repairs: {},
    ...overrides,
  };
}

const backfilled = antiEntropy({ backfilledAt: '2026-01-01T00:00:00.000Z' });

function healthy(overrides: Partial<RegionHealth> = {}): RegionHealth {
  return {
    domainAnswers: true,
    breakerOpen: false,
    report: [
      { region: 'us-east', antiEntropy: backfilled },
      { region: 'eu-west', antiEntropy: backfilled },
    ],
    ...overrides,
  };
}

describe(replicationHealth.name, () => {
  const others = ['us-east', 'eu-west'];

  it('is ready once the region backfilled from every other region', () => {
    expect(replicationHealth('ap-south', others, healthy(), lagLimitMs)).toEqual({
      status: 'ready',
    });
  });

  it('is provisioning, with progress, while one backfill has not finished', () => {
    const health = healthy({
      report: [
        {
          region: 'us-east',
          antiEntropy: antiEntropy({ state: 'running', repositoriesCompared: 20, repaired: 7 }),
        },
        { region: 'eu-west', antiEntropy: { ...backfilled, repositoriesCompared: 50 } },
      ],
    });
    expect(replicationHealth('ap-south', others, health, lagLimitMs)).toEqual({
      status: 'provisioning',
      statusReason: 'backfilling from us-east',
      provisioning: { compared: 70, repaired: 7 },
    });
  });

  it('is provisioning while the region does not consume a member yet', () => {
    const health = healthy({ report: [{ region: 'us-east', antiEntropy: backfilled }] });
    expect(replicationHealth('ap-south', others, health, lagLimitMs)).toMatchObject({
      status: 'provisioning',
      statusReason: 'backfilling from eu-west',
    });
  });

  it('is degraded when its NATS domain does not answer, whatever else holds', () => {
    const health = healthy({ domainAnswers: false, storeError: 'connect ECONNREFUSED' });
    expect(replicationHealth('ap-south', others, health, lagLimitMs)).toEqual({
      status: 'degraded',
      statusReason: 'the NATS domain of region ap-south does not answer across the link',
    });
  });

  it('is degraded, naming why, when its store does not answer', () => {
    const health = healthy({ storeError: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(replicationHealth('ap-south', others, health, lagLimitMs)).toEqual({
      status: 'degraded',
      statusReason:
        'the store of region ap-south does not answer: connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('is degraded when calls to it are skipped or it does not report', () => {
    expect(
      replicationHealth('ap-south', others, healthy({ breakerOpen: true }), lagLimitMs).status,
    ).toBe('degraded');
    const silent = healthy({ reportError: 'timed out' });
    delete silent.report;
    expect(replicationHealth('ap-south', others, silent, lagLimitMs)).toEqual({
      status: 'degraded',
      statusReason: 'the replication service of region ap-south did not answer: timed out',
    });
  });

  it('is degraded when its events wait here over the threshold, not at it', () => {
    expect(
      replicationHealth('ap-south', others, healthy({ lagMs: lagLimitMs }), lagLimitMs).status,
    ).toBe('ready');
    expect(
      replicationHealth('ap-south', others, healthy({ lagMs: lagLimitMs + 1_000 }), lagLimitMs),
    ).toEqual({
      status: 'degraded',
      statusReason: 'events of region ap-south wait here 301 s, over 300 s',
    });
  });
});
