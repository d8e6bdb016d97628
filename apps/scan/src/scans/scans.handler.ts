import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, scanRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ScanReportsService } from './scan-reports.service';

type Report = typeof scanRpc.report;

/** `scan.report`: the stored report of an image, for `GET /api/v1/scans/…`. */
@Controller()
export class ScansHandler {
  constructor(private readonly reports: ScanReportsService) {}

  @MessagePattern(scanRpc.report.pattern)
  report(@Payload() request: RpcRequest<Report>): Promise<RpcResponse<Report>> {
    return this.reports.report(request.repository, request.digest);
  }
}
