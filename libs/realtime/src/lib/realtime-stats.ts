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
  /** Server events emitted, by event name: one per emit, whatever the number of sockets reached. */
  readonly emitted = new Map<string, number>();
  tokenExpiries = 0;
  /** Sockets scheduled for token expiry right now (one shared timer): at most one per connected socket. */
  armedExpiryTimers = 0;
  private readonly deliveryListeners = new Set<(milliseconds: number) => void>();

  recordHandshake(outcome: HandshakeOutcome): void {
    this.handshakes.set(outcome, (this.handshakes.get(outcome) ?? 0) + 1);
  }

  recordClientEvent(outcome: ClientEventOutcome): void {
    this.clientEvents.set(outcome, (this.clientEvents.get(outcome) ?? 0) + 1);
  }

  recordTokenExpiry(): void {
    this.tokenExpiries += 1;
  }

  recordEmit(event: string): void {
    this.emitted.set(event, (this.emitted.get(event) ?? 0) + 1);
  }

  /** A stored notification was pushed `milliseconds` after its `createdAt` (commit + publish). */
  recordDelivery(milliseconds: number): void {
    for (const listener of this.deliveryListeners) listener(milliseconds);
  }

  /**
   * Delivery latencies are samples, not counts: an app that wants them (a histogram)
   * subscribes here. Returns the unsubscribe function.
   */
  onDelivery(listener: (milliseconds: number) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }
}
