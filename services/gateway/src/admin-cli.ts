import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createOrm, migrate } from "@postprocess/db";
import { createAccount, newAccountSchema, updateAccount } from "./api-keys/accounts.ts";
import { hashApiKey } from "./api-keys/key-format.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys/store.ts";
import { sqlOn } from "./sql.ts";

const USAGE = `usage: admin-cli <command> (DATABASE_URL from the environment)
  account create <id> --name <name> [--rate-per-minute N] [--burst N]
  account limits <id> [--rate-per-minute N] [--burst N] [--name <name>]
  key create <account-id> [--name <name>] [--test]    prints the key once; only its hash is stored
  key list <account-id>
  key revoke <key-id>
  admin-key                                            mints an admin key; prints it and ADMIN_KEY_SHA256`;

// The operator's path to accounts and keys, straight to the database (also when no gateway runs).
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string" },
    "rate-per-minute": { type: "string" },
    burst: { type: "string" },
    test: { type: "boolean", default: false },
  },
});
const [noun, verb, arg] = positionals;
const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));

if (noun === "admin-key") {
  const key = `pp_admin_${randomBytes(24).toString("base64url")}`;
  console.log(`admin key (shown once): ${key}\nADMIN_KEY_SHA256=${hashApiKey(key)}`);
  process.exit(0);
}

const url = process.env.DATABASE_URL;
if (!url || !noun) {
  console.error(url ? USAGE : `DATABASE_URL is not set\n${USAGE}`);
  process.exit(2);
}
const orm = createOrm({ clientUrl: url });
try {
  await migrate(orm);
  const sql = sqlOn(orm.em.fork());
  const out = await run(sql);
  console.log(typeof out === "string" ? out : JSON.stringify(out, null, 2));
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await orm.close();
}

async function run(sql: ReturnType<typeof sqlOn>): Promise<unknown> {
  const command = `${noun} ${verb ?? ""}`.trim();
  switch (command) {
    case "account create": {
      const parsed = newAccountSchema.parse({
        id: arg,
        name: values.name ?? arg,
        rate_limit_per_minute: int(values["rate-per-minute"]),
        rate_limit_burst: int(values.burst),
      });
      return (await createAccount(sql, parsed)) ?? fail(`account ${arg} already exists`);
    }
    case "account limits":
      return (
        (await updateAccount(sql, arg ?? "", {
          name: values.name,
          rate_limit_per_minute: int(values["rate-per-minute"]),
          rate_limit_burst: int(values.burst),
        })) ?? fail(`no account ${arg}`)
      );
    case "key create": {
      const key = await createApiKey(sql, arg ?? "", {
        name: values.name ?? "cli",
        environment: values.test ? "test" : "live",
      });
      return `${JSON.stringify(key.info, null, 2)}\nkey (shown once, store it now): ${key.plaintext}`;
    }
    case "key list":
      return listApiKeys(sql, arg ?? "");
    case "key revoke":
      return (await revokeApiKey(sql, arg ?? "")) ?? fail(`no key ${arg}`);
    default:
      return fail(USAGE);
  }
}

function fail(message: string): never {
  throw new Error(message);
}
