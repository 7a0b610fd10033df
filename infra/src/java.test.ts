import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { findJdk } from "./java.ts";

/** A fake JDK home whose `java -version` prints what a real one of that version prints. */
async function fakeJdk(version: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "jdk-"));
  await mkdir(join(home, "bin"));
  const java = join(home, "bin", "java");
  await writeFile(java, `#!/bin/sh\necho 'openjdk version "${version}" 2025-01-01' >&2\n`);
  await chmod(java, 0o755);
  return home;
}

it("takes a preferred JDK when it is new enough", async () => {
  const home = await fakeJdk("99.0.1");
  const jdk = await findJdk(21, home);
  expect(jdk).toMatchObject({ home, major: 99 });
});

it("reads legacy 1.x version strings", async () => {
  const home = await fakeJdk("1.8.0_392");
  await expect(findJdk(200, home)).rejects.toThrow(/No JDK >= 200/);
});

it("explains how to fix a machine without a new enough JDK", async () => {
  await expect(findJdk(1000)).rejects.toThrow(/PP_JAVA_HOME/);
});
