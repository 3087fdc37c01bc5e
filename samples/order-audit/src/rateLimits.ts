import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export interface RateLimitDecision {
  allowed: boolean;
  outcome: string;
}

interface CheckResponse {
  allowed: boolean;
  outcome: string;
}

type CheckClient = grpc.Client & {
  Check(request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<CheckResponse>): void;
};

/** The sidecar's mesh.sidecar.v1.RateLimits API, as this app (its token in dapr-api-token). */
export class RateLimits {
  private constructor(
    private readonly client: CheckClient,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  static create(protoRoot: string, address: string, token: string, timeoutMs: number): RateLimits {
    const definition = protoLoader.loadSync(path.join("mesh", "sidecar", "v1", "ratelimit.proto"), {
      includeDirs: [protoRoot],
      enums: String,
      defaults: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      mesh: { sidecar: { v1: { RateLimits: new (address: string, credentials: grpc.ChannelCredentials) => CheckClient } } };
    };
    // Plaintext: the sidecar's app API listens on the pod's loopback only.
    const client = new loaded.mesh.sidecar.v1.RateLimits(address, grpc.credentials.createInsecure());
    return new RateLimits(client, token, timeoutMs);
  }

  /** Charges one hit of the descriptor (kind = what) in this service's domain. */
  check(domain: string, what: string): Promise<RateLimitDecision> {
    const metadata = new grpc.Metadata();
    metadata.set("dapr-api-token", this.token);
    const request = { domain, descriptors: [{ entries: [{ key: "kind", value: what }] }], hits: 1 };
    return new Promise((resolve, reject) => {
      this.client.Check(request, metadata, { deadline: Date.now() + this.timeoutMs }, (error, response) => {
        if (error || !response) {
          reject(error ?? new Error("RateLimits.Check answered nothing"));
          return;
        }
        resolve({ allowed: response.allowed, outcome: response.outcome });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
