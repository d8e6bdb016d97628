import { loadConfig } from './config';
import { planRegions } from './region-layout';
import { replicationPeers } from './replication-peers';

describe(replicationPeers.name, () => {
  const peersOf = (env: NodeJS.ProcessEnv) => {
    const config = loadConfig(env, '/srv');
    return replicationPeers(planRegions(config), config.replications).map((peers) =>
      peers.map((peer) => peer.region),
    );
  };

  it('makes every region a peer of every other by default', () => {
    expect(peersOf({ MERIDIAN_REGIONS: 'us-east,eu-west,ap-south' })).toEqual([
      ['eu-west', 'ap-south'],
      ['us-east', 'ap-south'],
      ['us-east', 'eu-west'],
    ]);
  });

  it('leaves a region outside MERIDIAN_REPLICATIONS stand-alone: no peers, and no one its peer', () => {
    expect(
      peersOf({
        MERIDIAN_REGIONS: 'us-east,eu-west,ap-south',
        MERIDIAN_REPLICATIONS: 'us-east,eu-west',
      }),
    ).toEqual([['eu-west'], ['us-east'], []]);
  });

  it('gives a lone member no peers', () => {
    expect(
      peersOf({ MERIDIAN_REGIONS: 'us-east,eu-west', MERIDIAN_REPLICATIONS: 'eu-west' }),
    ).toEqual([[], []]);
  });

  it('gives the peers in region order, whatever the order of MERIDIAN_REPLICATIONS', () => {
    expect(
      peersOf({
        MERIDIAN_REGIONS: 'us-east,eu-west,ap-south',
        MERIDIAN_REPLICATIONS: 'ap-south,us-east',
      }),
    ).toEqual([['ap-south'], [], ['us-east']]);
  });
});
