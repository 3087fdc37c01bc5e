import fs from "node:fs";
import path from "node:path";
import type { ConnectionOptions } from "node:tls";

/** What the service reads from its environment; Dapr's SDK reads DAPR_GRPC_PORT and DAPR_API_TOKEN itself. */
export interface Settings {
  readonly brokers: string[];
  /** Mutual TLS to Kafka (Compose, production): the CA of the brokers and this service's certificate; none on the dev broker. */
  readonly kafkaTls?: ConnectionOptions;
  readonly groupId: string;
  readonly topic: string;
  readonly protoRoot: string;
  readonly sidecarAddress: string;
  readonly appToken: string;
  readonly lockStore: string;
  readonly rateLimitDomain: string;
  readonly auditFile: string;
  readonly callTimeoutMs: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    brokers: required(env, "KAFKA_BOOTSTRAP_SERVERS").split(",").map((b) => b.trim()).filter(Boolean),
    kafkaTls: env.KAFKA_SSL_CA
      ? {
          ca: [fs.readFileSync(env.KAFKA_SSL_CA, "utf8")],
          cert: fs.readFileSync(required(env, "KAFKA_SSL_CERTIFICATE"), "utf8"),
          key: fs.readFileSync(required(env, "KAFKA_SSL_KEY"), "utf8"),
        }
      : undefined,
    groupId: env.KAFKA_GROUP_ID ?? "order-audit",
    // The topic of mesh.events.v1.OrderConfirmed (Mesh.Contracts EventContracts, endpoints.json "topics").
    topic: env.ORDER_CONFIRMED_TOPIC ?? "mesh.orders.order-confirmed",
    protoRoot: env.PROTO_ROOT ?? path.resolve(__dirname, "..", "..", "..", "protos"),
    // The sidecar's own gRPC API (RateLimits), on the pod's loopback.
    sidecarAddress: env.SIDECAR_ADDRESS ?? "127.0.0.1:5104",
    appToken: required(env, "DAPR_API_TOKEN"),
    lockStore: env.LOCK_STORE ?? "lockstore",
    rateLimitDomain: env.RATE_LIMIT_DOMAIN ?? "order-audit",
    auditFile: required(env, "AUDIT_FILE"),
    callTimeoutMs: Number(env.SIDECAR_CALL_TIMEOUT_MS ?? "5000"),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}
