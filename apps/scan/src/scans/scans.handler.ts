import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, scanRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ScansService } from './scans.service';

type Report = typeof scanRpc.report;

/** `scan.report`: the stored report of an image, for `GET /api/v1/scans/…`. */
@Controller()
export class ScansHandler {
  constructor(private readonly scans: ScansService) {}

  @MessagePattern(scanRpc.report.pattern)
  report(@Payload() request: RpcRequest<Report>): Promise<RpcResponse<Report>> {
    return this.scans.report(request.repository, request.digest);
  }
}
