/**
 * The JSON `/acr/v1` answers (ACR's REST shapes, README's table), as far as the commands
 * read them. The RPC records of libs/contracts are what the gateway builds these from; the
 * HTTP views differ from them (`imageName`, a manifest's platform), so they are named here.
 */
import type { ChangeableAttributes } from '@meridian/contracts';

export interface AcrRepositoryView {
  registry: string;
  imageName: string;
  createdTime: string;
  lastUpdateTime: string;
  manifestCount: number;
  tagCount: number;
  changeableAttributes: ChangeableAttributes;
}

export interface AcrTagView {
  name: string;
  digest: string;
  createdTime: string;
  lastUpdateTime: string;
  signed: boolean;
  changeableAttributes: ChangeableAttributes;
}

export interface AcrManifestView {
  digest: string;
  imageSize: number;
  createdTime: string;
  lastUpdateTime: string;
  mediaType: string;
  architecture?: string;
  os?: string;
  tags: string[];
  quarantineState?: string;
  changeableAttributes: ChangeableAttributes;
}
