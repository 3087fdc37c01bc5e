// Takes, is refused, and releases a lock through Dapr's JavaScript SDK, unchanged, the way an app
// written for Dapr would: the SDK finds the sidecar through DAPR_HTTP_PORT / DAPR_GRPC_PORT and
// sends DAPR_API_TOKEN, as it does against Dapr's own sidecar.
//
//   node lock.js <http|grpc> <store> <resource>
//
// Prints one JSON line with each answer; exits 1 (the error on stderr) if any call fails.
"use strict";
const { DaprClient, CommunicationProtocolEnum, LogLevel } = require("@dapr/dapr");

async function main() {
  const [protocol, store, resource] = process.argv.slice(2);
  if (!["http", "grpc"].includes(protocol) || !store || !resource) {
    throw new Error("usage: node lock.js <http|grpc> <store> <resource>");
  }

  const client = new DaprClient({
    communicationProtocol: protocol === "http" ? CommunicationProtocolEnum.HTTP : CommunicationProtocolEnum.GRPC,
    // The SDK's debug log prints request headers, the token among them.
    logger: { level: LogLevel.Error },
  });
  try {
    const result = {
      taken: (await client.lock.lock(store, resource, "js-owner-a", 30)).success,
      refused: (await client.lock.lock(store, resource, "js-owner-b", 30)).success,
      notTheirs: (await client.lock.unlock(store, resource, "js-owner-b")).status,
      released: (await client.lock.unlock(store, resource, "js-owner-a")).status,
      gone: (await client.lock.unlock(store, resource, "js-owner-a")).status,
      retaken: (await client.lock.lock(store, resource, "js-owner-b", 30)).success,
    };
    console.log(JSON.stringify(result));
  } finally {
    await client.stop();
  }
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
