import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, scanRpc } from '@meridian/contracts';
import { RpcHandler } from '@meridian/messaging';
import { ScanReportsService } from './scan-reports.service';

type Report = typeof scanRpc.report;

/** `scan.report`: the stored report of an image, for `GET /api/v1/scans/…`. */
@Injectable()
export class ScansHandler {
  constructor(private readonly reports: ScanReportsService) {}

  @RpcHandler(scanRpc.report)
  report(request: RpcRequest<Report>): Promise<RpcResponse<Report>> {
    return this.reports.report(request.repository, request.digest);
  }
}
