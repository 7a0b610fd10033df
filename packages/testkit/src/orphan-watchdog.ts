/**
 * Preloaded (`--import`) into every service a test or the demo starts: when the process that started it
 * dies without stopping it (a test runner killed on a timeout, Ctrl-C), the service is re-parented and this
 * stops it, so no orphan keeps consuming CPU and Kafka partitions under the next run.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 500).unref();
