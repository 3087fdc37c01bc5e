import path from "node:path";
import protobuf from "protobufjs";

/** The fields of mesh.events.v1.OrderConfirmed this service uses. */
export interface OrderConfirmed {
  eventId: string;
  orderId: string;
  userId: string;
  totalCents: string;
}

/** Decodes OrderConfirmed with the contract's own .proto file (protos/mesh/events/v1/orders.proto). */
export class OrderConfirmedDecoder {
  private constructor(private readonly type: protobuf.Type) {}

  static async load(protoRoot: string): Promise<OrderConfirmedDecoder> {
    const root = await protobuf.load(path.join(protoRoot, "mesh", "events", "v1", "orders.proto"));
    return new OrderConfirmedDecoder(root.lookupType("mesh.events.v1.OrderConfirmed"));
  }

  decode(value: Buffer): OrderConfirmed {
    const message = this.type.decode(value);
    // int64 as a string: a JavaScript number loses cents above 2^53.
    return this.type.toObject(message, { longs: String, defaults: true }) as OrderConfirmed;
  }
}
