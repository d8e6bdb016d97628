/**
 * Scan reports and quarantine (issue 6):
 *
 *   GET   /api/v1/scans/{repository}/{digest}         the image's scan report and quarantine
 *                                                     state (registry:read)
 *   GET   /api/v1/settings/quarantine                 {"enabled": false} (Owner)
 *   PUT   /api/v1/settings/quarantine                 {"enabled": true|false} (Owner)
 *
 * ACR's external-scanner decision (`PATCH /acr/v1/{repository}/_manifests/{digest}`) shares
 * its route with the changeable attributes, so the AcrController answers it.
 */
import { Controller, Get, Put, Req } from '@nestjs/common';
import {
  type RpcResponse,
  type ScanReport,
  isRegistryError,
  manifestRpc,
  scanRpc,
} from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';
import { ReplicatedScanReports } from './replicated-scan-reports';
import { splitImagePath } from './split-image-path';

const QuarantineSetting = z.object({ enabled: z.boolean() });

type ScanReportView = ScanReport & {
  quarantineState: RpcResponse<typeof manifestRpc.quarantineState>['state'];
  quarantineDetails?: string;
};

const scansPrefix = '/api/v1/scans/';

@Controller()
export class ScansController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly replicated: ReplicatedScanReports,
  ) {}

  /** The report, with the image's quarantine state in this region beside it. */
  @Get('api/v1/scans/*')
  @Authorize('registry:read')
  async report(@Req() request: FastifyRequest): Promise<ScanReportView> {
    const image = splitImagePath(request.url.slice(scansPrefix.length));
    const options = managementContext(request);
    const [report, quarantine] = await Promise.all([
      this.reportOf(image, options),
      this.rpc.request(manifestRpc.quarantineState, image, options),
    ]);
    return {
      ...report,
      quarantineState: quarantine.state,
      ...(quarantine.details === undefined ? {} : { quarantineDetails: quarantine.details }),
    };
  }

  /**
   * This region's scan service has the reports of images pushed here; an image pushed in
   * another region has its report as a replicated referrer.
   */
  private async reportOf(
    image: { repository: string; digest: string },
    options: { context: RpcContext },
  ): Promise<ScanReport> {
    try {
      return await this.rpc.request(scanRpc.report, image, options);
    } catch (error) {
      if (!isRegistryError(error) || !['MANIFEST_UNKNOWN', 'UNAVAILABLE'].includes(error.code))
        throw error;
      const replicated = await this.replicated.find(image, options);
      if (replicated === undefined) throw error;
      return replicated;
    }
  }

  @Get('api/v1/settings/quarantine')
  @Authorize('identities:manage')
  setting(
    @Req() request: FastifyRequest,
  ): Promise<RpcResponse<typeof manifestRpc.quarantineSetting>> {
    return this.rpc.request(manifestRpc.quarantineSetting, {}, managementContext(request));
  }

  @Put('api/v1/settings/quarantine')
  @Authorize('identities:manage')
  async setSetting(
    @Req() request: FastifyRequest,
  ): Promise<RpcResponse<typeof manifestRpc.setQuarantineSetting>> {
    const options = managementContext(request);
    const body = validInput(QuarantineSetting, await readJsonBody(request.raw));
    return this.rpc.request(manifestRpc.setQuarantineSetting, body, options);
  }
}
