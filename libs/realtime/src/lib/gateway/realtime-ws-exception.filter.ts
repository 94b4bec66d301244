import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ErrorCode } from '@herald/ws-contracts';
import { toErrorDetail } from '../errors';
import type { HeraldSocket } from './socket-types';

/**
 * For applications that add their own `@SubscribeMessage` gateways: the same exception
 * mapping as Herald's gateway (`toErrorDetail`), so no client ever receives Nest's bare
 * `{ status: 'error', message: 'Internal server error' }`. Answers the acknowledgement with
 * `{ ok: false, error: { code, message } }` when there is one, else emits `error`.
 *
 *   @UseFilters(new RealtimeWsExceptionFilter())
 *   @WebSocketGateway({ namespace: '/chat' })
 *   export class ChatGateway { … }
 *
 * (Global filters registered with `app.useGlobalFilters` do not reach gateways.)
 */
@Catch()
export class RealtimeWsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Realtime');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'ws') throw exception;
    const socket = host.switchToWs().getClient<HeraldSocket>();
    // Nest calls a message handler with (socket, data, ack?, pattern).
    const ack = host
      .getArgs()
      .slice(2, -1)
      .find((arg): arg is (result: unknown) => void => typeof arg === 'function');
    const detail = toErrorDetail(exception);
    if (detail.code === ErrorCode.Internal) {
      this.logger.error({
        msg: 'A gateway handler failed',
        userId: socket.data?.userId,
        err: exception,
      });
    }
    if (ack) ack({ ok: false, error: detail });
    else socket.emit('error', detail);
  }
}
