/**
 * The pull-through cache as the app module registers it. Its configuration is read here,
 * once per process at start; a bad value stops the gateway naming the key.
 */
import type { Provider } from '@nestjs/common';
import { CachedBlobs } from './cached-blobs';
import { CacheTargets, pullThroughConfigToken } from './cache-targets';
import { type PullThroughConfig, loadPullThroughConfig } from './pull-through.config';
import { PullThrough } from './pull-through.service';

export function pullThroughProviders(
  config: PullThroughConfig = loadPullThroughConfig(process.env),
): Provider[] {
  return [
    { provide: pullThroughConfigToken, useValue: config },
    CacheTargets,
    PullThrough,
    CachedBlobs,
  ];
}
