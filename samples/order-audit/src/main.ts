import fs from "node:fs";
import { CommunicationProtocolEnum, DaprClient, LogLevel } from "@dapr/dapr";
import { Kafka, logLevel } from "kafkajs";
import { AuditHandler } from "./auditHandler";
import { AuditLog } from "./auditLog";
import { OrderConfirmedDecoder } from "./orderConfirmed";
import { RateLimits } from "./rateLimits";
import { readSettings } from "./settings";

async function main(): Promise<void> {
  const settings = readSettings();
  const decoder = await OrderConfirmedDecoder.load(settings.protoRoot);
  // Dapr's SDK finds the sidecar by DAPR_GRPC_PORT and sends DAPR_API_TOKEN, as against Dapr.
  const dapr = new DaprClient({ communicationProtocol: CommunicationProtocolEnum.GRPC, logger: { level: LogLevel.Error } });
  const rateLimits = RateLimits.create(settings.protoRoot, settings.sidecarAddress, settings.appToken, settings.callTimeoutMs);
  const log = AuditLog.open(settings.auditFile);
  const handler = new AuditHandler(decoder, dapr, rateLimits, log, recordedEventIds(settings.auditFile),
    settings.lockStore, settings.rateLimitDomain);

  const kafka = new Kafka({ clientId: "order-audit", brokers: settings.brokers, ssl: settings.kafkaTls, logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: settings.groupId, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  consumer.on(consumer.events.GROUP_JOIN, (event) =>
    console.log(JSON.stringify({ event: "joined", group: settings.groupId, assignment: event.payload.memberAssignment })));

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await consumer.disconnect().catch(() => undefined);
    await dapr.stop().catch(() => undefined);
    rateLimits.close();
    log.close();
    process.exit(code);
  };
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGINT", () => void stop(0));
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) {
      console.error(`order-audit: the consumer stopped: ${event.payload.error}`);
      void stop(1);
    }
  });

  await consumer.connect();
  await consumer.subscribe({ topic: settings.topic, fromBeginning: true });
  // eachMessage resolves only after the line is written: kafkajs commits the offset after that.
  await consumer.run({
    eachMessage: ({ partition, message }) => handler.handle({
      partition,
      offset: message.offset,
      value: message.value,
      messageType: message.headers?.["message-type"]?.toString(),
    }),
  });
}

/** The event ids the audit log holds already: the handler's memory across restarts. */
function recordedEventIds(file: string): Set<string> {
  if (!fs.existsSync(file)) {
    return new Set();
  }
  return new Set(fs.readFileSync(file, "utf8").split("\n").filter(Boolean)
    .map((line) => JSON.parse(line).eventId as string | undefined).filter((id): id is string => !!id));
}

main().catch((error: unknown) => {
  console.error(`order-audit: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
