import os from "node:os";
import type { DaprClient } from "@dapr/dapr";
import { AuditLog } from "./auditLog";
import { OrderConfirmed, OrderConfirmedDecoder } from "./orderConfirmed";
import { RateLimits } from "./rateLimits";

export interface ConsumedRecord {
  partition: number;
  offset: string;
  value: Buffer | null;
  messageType?: string;
}

const OrderConfirmedType = "mesh.events.v1.OrderConfirmed";
const LockExpirySeconds = 30;

/**
 * Handles one OrderConfirmed: under a lock on the order (Dapr's lock API, served by the mesh's
 * sidecar), asks the sidecar whether the audit may go on now (RateLimits) and records the order
 * with that decision. Idempotent by event id: a record redelivered after a restart, whose line is
 * already in the audit log, is skipped, so every order is recorded once. A record that does not
 * decode is recorded as skipped (it never will); a sidecar that fails or a lock held elsewhere
 * throws, so kafkajs retries the record (with backoff) and commits nothing past it.
 */
export class AuditHandler {
  private readonly owner = `${os.hostname()}-${process.pid}`;

  constructor(
    private readonly decoder: OrderConfirmedDecoder,
    private readonly dapr: DaprClient,
    private readonly rateLimits: RateLimits,
    private readonly log: AuditLog,
    private readonly recorded: Set<string>,
    private readonly lockStore: string,
    private readonly domain: string,
  ) {}

  async handle(record: ConsumedRecord): Promise<void> {
    if (!record.value || (record.messageType && record.messageType !== OrderConfirmedType)) {
      return;
    }

    let order: OrderConfirmed;
    try {
      order = this.decoder.decode(record.value);
    } catch (error) {
      // No code will ever decode it: record that it was skipped rather than stall the partition.
      this.log.write({ at: new Date().toISOString(), skipped: "undecodable", partition: record.partition, offset: record.offset, error: String(error) });
      return;
    }

    if (this.recorded.has(order.eventId)) {
      return;
    }

    const resource = `order-${order.orderId}`;
    const lock = await this.dapr.lock.lock(this.lockStore, resource, this.owner, LockExpirySeconds);
    if (!lock.success) {
      // Another instance holds the order: throwing leaves the offset uncommitted, so it comes back.
      throw new Error(`the lock on ${resource} is held by another owner`);
    }

    try {
      const decision = await this.rateLimits.check(this.domain, "order-confirmed");
      this.log.write({
        at: new Date().toISOString(),
        eventId: order.eventId,
        orderId: order.orderId,
        userId: order.userId,
        totalCents: order.totalCents,
        partition: record.partition,
        offset: record.offset,
        lock: { store: this.lockStore, resource, granted: true },
        rateLimit: { allowed: decision.allowed, outcome: decision.outcome },
      });
      this.recorded.add(order.eventId);
    } finally {
      await this.dapr.lock.unlock(this.lockStore, resource, this.owner);
    }
  }
}
