import { Injectable } from '@nestjs/common';

/** `accepted`, or the error code a handshake was refused with. */
export type HandshakeOutcome = 'accepted' | string;
/** `ok`, or the error code a client event was answered with. */
export type ClientEventOutcome = 'ok' | string;

/**
 * Counters of what the gateway did, kept in plain numbers so the library needs no metrics
 * library: an app exports them however it likes (the API turns them into Prometheus
 * metrics in RealtimeWiringModule).
 */
@Injectable()
export class RealtimeStats {
  readonly handshakes = new Map<HandshakeOutcome, number>();
  readonly clientEvents = new Map<ClientEventOutcome, number>();
  tokenExpiries = 0;

  recordHandshake(outcome: HandshakeOutcome): void {
    this.handshakes.set(outcome, (this.handshakes.get(outcome) ?? 0) + 1);
  }

  recordClientEvent(outcome: ClientEventOutcome): void {
    this.clientEvents.set(outcome, (this.clientEvents.get(outcome) ?? 0) + 1);
  }

  recordTokenExpiry(): void {
    this.tokenExpiries += 1;
  }
}
