import { execFile } from "node:child_process";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import type { Component, StackContext } from "../component.ts";
import type { StackConfig } from "../config.ts";
import { repoRoot } from "../config.ts";
import { cached, mavenCopyDependencies } from "../download.ts";
import { processFiles, startDetached } from "../process.ts";

const run = promisify(execFile);
const VERSION = "4.4.0";

const libsDir = (c: StackConfig) => join(c.PP_CACHE_DIR, `kafka-${VERSION}`, "libs");
const confDir = (c: StackConfig) => join(c.runDir, "kafka");
const dataDir = (c: StackConfig) => join(c.dataDir, "kafka");

/** KRaft in one process: broker and controller, single-replica internal topics, no auto-created topics. */
function serverProperties(c: StackConfig): string {
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${c.PP_KAFKA_CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://127.0.0.1:${c.PP_KAFKA_PORT},CONTROLLER://127.0.0.1:${c.PP_KAFKA_CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${c.PP_KAFKA_PORT}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    `log.dirs=${dataDir(c)}`,
    "num.partitions=3",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=10",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    // Tests create a fresh group per test; the default 3 s delay would add up to minutes.
    "group.initial.rebalance.delay.ms=0",
    // Topics are created by the project's bootstrap with explicit partitions and policies, never by accident.
    "auto.create.topics.enable=false",
    "log.retention.hours=168",
    "",
  ].join("\n");
}

const log4j2 = [
  "status = warn",
  "appender.out.type = Console",
  "appender.out.name = out",
  "appender.out.layout.type = PatternLayout",
  "appender.out.layout.pattern = [%d] %p %m (%c)%n",
  "rootLogger.level = INFO",
  "rootLogger.appenderRef.out.ref = out",
  "logger.kafka.name = kafka",
  "logger.kafka.level = INFO",
  "logger.state.name = state.change.logger",
  "logger.state.level = WARN",
  "",
].join("\n");

function jvmArgs(c: StackConfig): string[] {
  return [
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${join(confDir(c), "log4j2.properties")}`,
    "-cp",
    `${libsDir(c)}/*`,
  ];
}

/** Apache Kafka 4.4 in KRaft mode, run from Maven Central jars. */
export const kafka: Component = {
  name: "kafka",
  version: VERSION,
  port: (c) => c.PP_KAFKA_PORT,
  managed: true,
  startTimeoutMs: 60_000,
  async install(ctx) {
    await cached(join(ctx.config.PP_CACHE_DIR, `kafka-${VERSION}`), async (dir) => {
      ctx.say(`kafka: downloading ${VERSION} jars from Maven Central`);
      await mavenCopyDependencies(join(repoRoot, "infra", "maven", "kafka"), join(dir, "libs"));
    });
  },
  async start(ctx) {
    const c = ctx.config;
    const jdk = await ctx.jdk(17);
    await mkdir(confDir(c), { recursive: true });
    const props = join(confDir(c), "server.properties");
    await writeFile(props, serverProperties(c));
    await writeFile(join(confDir(c), "log4j2.properties"), log4j2);
    if (!(await formatted(c))) {
      const { stdout } = await run(jdk.java, [...jvmArgs(c), "kafka.tools.StorageTool", "random-uuid"]);
      const clusterId = stdout.trim().split("\n").pop() ?? "";
      await run(jdk.java, [...jvmArgs(c), "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props]);
    }
    return startDetached(
      processFiles(c.runDir, c.logDir, "kafka"),
      jdk.java,
      [...jvmArgs(c), "kafka.Kafka", props],
      {
        cwd: confDir(c),
      },
    );
  },
  async healthy(ctx) {
    return kafkaAnswers(ctx);
  },
  env: (c) => ({ KAFKA_BROKERS: `127.0.0.1:${c.PP_KAFKA_PORT}` }),
};

async function formatted(c: StackConfig): Promise<boolean> {
  try {
    await access(join(dataDir(c), "meta.properties"));
    return true;
  } catch {
    return false;
  }
}

/** The broker answers metadata requests through the same client the services use. */
async function kafkaAnswers(ctx: StackContext): Promise<boolean> {
  const admin = new Kafka({
    clientId: "stack-health",
    brokers: [`127.0.0.1:${ctx.config.PP_KAFKA_PORT}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
